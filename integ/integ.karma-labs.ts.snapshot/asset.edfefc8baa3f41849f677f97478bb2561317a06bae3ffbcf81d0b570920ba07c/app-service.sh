# Runs the app as a systemd service of the app user that restarts on failure. A crash loop is
# bounded: StartLimitBurst starts within StartLimitIntervalSec trip the start limit, the unit
# fails for good, and OnFailure= marks the instance unhealthy (runtime/boot/report-unhealthy.sh),
# so that Auto Scaling replaces it. (The default limit, 5 starts in 10 s, never trips with
# RestartSec=5.)
# Needs: APP_USER, START_COMMAND, ENV_FILE, APP_PORT (may be empty); APP_START_LIMIT_BURST and
# APP_START_LIMIT_INTERVAL_SECONDS (optional)
printf '%s\n' "$START_COMMAND" > /etc/cdk-web-tiers/start-command
chmod 0644 /etc/cdk-web-tiers/start-command
install -m 0755 "$CWT_BOOT_DIR/report-unhealthy.sh" "$CWT_HOME/bin/report-unhealthy"
cat > /etc/systemd/system/cdk-web-tiers-unhealthy@.service <<UNIT
[Unit]
Description=cdk-web-tiers: mark the instance unhealthy (%i failed)

[Service]
Type=oneshot
ExecStart=$CWT_HOME/bin/report-unhealthy "%i failed (start limit hit: crash loop)"
StandardOutput=append:$CWT_LOG_DIR/health.log
StandardError=append:$CWT_LOG_DIR/health.log
UNIT
cat > /etc/systemd/system/webapp.service <<UNIT
[Unit]
Description=The application (cdk-web-tiers)
After=network-online.target remote-fs.target
Wants=network-online.target
StartLimitIntervalSec=${APP_START_LIMIT_INTERVAL_SECONDS:-600}
StartLimitBurst=${APP_START_LIMIT_BURST:-5}
OnFailure=cdk-web-tiers-unhealthy@%n.service

[Service]
User=$APP_USER
Group=$APP_USER
WorkingDirectory=/var/app/current
EnvironmentFile=-$ENV_FILE
Environment=PORT=$APP_PORT
ExecStart=/bin/bash /etc/cdk-web-tiers/start-command
Restart=on-failure
RestartSec=5
NoNewPrivileges=yes
StandardOutput=append:$CWT_LOG_DIR/app.log
StandardError=append:$CWT_LOG_DIR/app.log

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now webapp.service
