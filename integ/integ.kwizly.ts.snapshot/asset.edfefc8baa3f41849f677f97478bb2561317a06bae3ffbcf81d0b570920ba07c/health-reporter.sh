# Installs the health reporter of a tier: a systemd timer runs the health command every
# HEALTH_INTERVAL_SECONDS; after HEALTH_FAILURE_THRESHOLD consecutive failures the instance tells
# Auto Scaling it is unhealthy, and Auto Scaling replaces it.
# After a reboot, failures count only once the app has answered since the boot, or once
# HEALTH_BOOT_GRACE_SECONDS have passed since the system (PID 1) started, so that an app still
# starting is not reported unhealthy. The count and that mark live in /run: a reboot clears them.
# This step runs after readiness, so on the first boot the app has answered already.
# Needs: HEALTH_COMMAND, HEALTH_INTERVAL_SECONDS, HEALTH_TIMEOUT_SECONDS, HEALTH_FAILURE_THRESHOLD,
# HEALTH_BOOT_GRACE_SECONDS
install -d -m 0755 /run/cdk-web-tiers
touch /run/cdk-web-tiers/health-answered
printf '%s\n' "$HEALTH_COMMAND" > /etc/cdk-web-tiers/health-command
chmod 0600 /etc/cdk-web-tiers/health-command
cat > "$CWT_HOME/bin/health-reporter" <<SCRIPT
#!/bin/bash
# Runs the worker's health command once; reports the instance unhealthy after
# $HEALTH_FAILURE_THRESHOLD consecutive failures.
set -uo pipefail
source /etc/cdk-web-tiers/fleet.env
install -d -m 0755 /run/cdk-web-tiers
state=/run/cdk-web-tiers/health-failures
answered=/run/cdk-web-tiers/health-answered
failures=\$(cat "\$state" 2>/dev/null || echo 0)
if timeout $HEALTH_TIMEOUT_SECONDS bash /etc/cdk-web-tiers/health-command >/dev/null 2>&1; then
  [ "\$failures" != 0 ] && echo "\$(date -u +%FT%TZ) healthy again after \$failures failure(s)"
  echo 0 > "\$state"
  touch "\$answered"
  exit 0
fi
up=\$(ps -o etimes= -p 1 2>/dev/null | tr -d ' ')
[[ "\$up" =~ ^[0-9]+\$ ]] || up=\$(cut -d. -f1 /proc/uptime)
if [ ! -e "\$answered" ] && [ "\$up" -lt $HEALTH_BOOT_GRACE_SECONDS ]; then
  echo "\$(date -u +%FT%TZ) health command failed \${up}s after boot, before the app answered: not counted (grace $HEALTH_BOOT_GRACE_SECONDS s)"
  exit 0
fi
failures=\$((failures + 1))
echo "\$failures" > "\$state"
echo "\$(date -u +%FT%TZ) health command failed (\$failures of $HEALTH_FAILURE_THRESHOLD)"
if [ "\$failures" -ge $HEALTH_FAILURE_THRESHOLD ]; then
  echo "\$(date -u +%FT%TZ) reporting instance \$INSTANCE_ID unhealthy to Auto Scaling"
  aws autoscaling set-instance-health --region "\$CWT_REGION" --instance-id "\$INSTANCE_ID" \
    --health-status Unhealthy --no-should-respect-grace-period
fi
SCRIPT
chmod 0755 "$CWT_HOME/bin/health-reporter"
cat > /etc/systemd/system/cdk-web-tiers-health.service <<UNIT
[Unit]
Description=cdk-web-tiers health reporter (one check)

[Service]
Type=oneshot
ExecStart=$CWT_HOME/bin/health-reporter
StandardOutput=append:$CWT_LOG_DIR/health.log
StandardError=append:$CWT_LOG_DIR/health.log
UNIT
cat > /etc/systemd/system/cdk-web-tiers-health.timer <<UNIT
[Unit]
Description=cdk-web-tiers health reporter every ${HEALTH_INTERVAL_SECONDS}s

[Timer]
OnActiveSec=${HEALTH_INTERVAL_SECONDS}s
OnUnitActiveSec=${HEALTH_INTERVAL_SECONDS}s
AccuracySec=1s

[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now cdk-web-tiers-health.timer
