# Spot interruption drain: installs runtime/boot/spot-drain-watch.sh as a service that deregisters
# the instance from its target group when a Spot interruption notice arrives.
# Needs: TARGET_GROUP_ARN
printf 'TARGET_GROUP_ARN=%q\n' "$TARGET_GROUP_ARN" > "$CWT_ETC/spot-drain.env"
install -m 0755 "$CWT_BOOT_DIR/spot-drain-watch.sh" "$CWT_HOME/bin/spot-drain"
cat > /etc/systemd/system/cdk-web-tiers-spot-drain.service <<UNIT
[Unit]
Description=cdk-web-tiers: leave the target group on a Spot interruption notice
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=$CWT_HOME/bin/spot-drain
Restart=on-failure
StandardOutput=append:$CWT_LOG_DIR/spot.log
StandardError=append:$CWT_LOG_DIR/spot.log

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now cdk-web-tiers-spot-drain.service
