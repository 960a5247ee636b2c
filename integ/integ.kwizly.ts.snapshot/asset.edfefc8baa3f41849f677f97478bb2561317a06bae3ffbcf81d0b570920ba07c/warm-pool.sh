# Warm pool support: installs the resume service and the pool's recycler (warm-recycle.sh). An
# instance prepared for the pool completes its launch into the pool without signalling (ready.sh). When Auto Scaling takes it out of the pool
# (target lifecycle state InService), the service
#  - abandons the launch if the instance was built from an older launch template version than the
#    group's (a deployment happened while it waited): Auto Scaling launches a fresh instance, so a
#    pooled instance never serves stale code;
#  - runs the fetch-code and build steps again (a git source pulls the branch's latest commit) and
#    restarts the app;
#  - waits until the app answers HEALTH_URL, then completes the launch (CONTINUE), waits until the
#    target group counts it healthy and signals SUCCESS: during a rolling update CloudFormation
#    counts it as one of the batch's new instances (outside one the signal is refused, harmlessly).
# The service runs runtime/boot/warm-resume.sh.
# Needs: HEALTH_URL
touch "$CWT_ETC/warm-pool"
printf 'HEALTH_URL=%q\nCWT_LIFECYCLE_HOOK=%q\nCWT_READY_TIMEOUT_SECONDS=%q\nCWT_SIGNAL_RESOURCE=%q\nCWT_TARGET_GROUP_ARN=%q\n' \
  "$HEALTH_URL" "$CWT_LIFECYCLE_HOOK" "${CWT_READY_TIMEOUT_SECONDS:-600}" "${CWT_SIGNAL_RESOURCE:-}" "${CWT_TARGET_GROUP_ARN:-}" > "$CWT_ETC/warm-pool.env"
install -m 0755 "$CWT_BOOT_DIR/warm-resume.sh" "$CWT_HOME/bin/warm-resume"
install -m 0755 "$CWT_BOOT_DIR/warm-recycle.sh" "$CWT_HOME/bin/warm-recycle"
cat > /etc/systemd/system/cdk-web-tiers-warm-resume.service <<UNIT
[Unit]
Description=cdk-web-tiers: ready the app when the instance leaves the warm pool
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=$CWT_HOME/bin/warm-resume
StandardOutput=append:$CWT_LOG_DIR/warm-pool.log
StandardError=append:$CWT_LOG_DIR/warm-pool.log

[Install]
WantedBy=multi-user.target
UNIT
# The recycler, on a timer: it acts only while this instance is in service (warm-recycle.sh).
cat > /etc/systemd/system/cdk-web-tiers-warm-recycle.service <<UNIT
[Unit]
Description=cdk-web-tiers: terminate pooled instances of an older launch template version

[Service]
Type=oneshot
ExecStart=$CWT_HOME/bin/warm-recycle
UNIT
cat > /etc/systemd/system/cdk-web-tiers-warm-recycle.timer <<UNIT
[Unit]
Description=cdk-web-tiers: recycle the warm pool after a deployment

[Timer]
OnActiveSec=2min
OnUnitActiveSec=2min
RandomizedDelaySec=60

[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable cdk-web-tiers-warm-resume.service
systemctl enable --now cdk-web-tiers-warm-recycle.timer
