# Installs one scheduled job as a systemd timer on this instance. Every instance has the same
# timer; joblock lets exactly one of them run each tick. The tick passed to joblock is the time the
# timer was scheduled to fire (its last trigger, floored to the minute), not the time the service
# happened to start, so every host names the same tick.
# joblock appends each tick's outcome (embedded metric format) to job-metrics.log, which the
# CloudWatch agent ships to the tier's log group; CloudWatch Logs turns it into metrics.
# Needs: JOB_NAME, JOB_COMMAND, ON_CALENDAR, JOB_TTL, JOB_KEEP, APP_USER, JOB_TIER
install -d -m 0755 /etc/cdk-web-tiers/jobs
printf '%s\n' "$JOB_COMMAND" > "/etc/cdk-web-tiers/jobs/$JOB_NAME.command"
chmod 0644 "/etc/cdk-web-tiers/jobs/$JOB_NAME.command"
[ -e "$CWT_LOG_DIR/job-metrics.log" ] || install -m 0644 -o "$APP_USER" -g "$APP_USER" /dev/null "$CWT_LOG_DIR/job-metrics.log"
cat > "$CWT_HOME/bin/run-job" <<'SCRIPT'
#!/bin/bash
# run-job NAME TTL KEEP: runs /etc/cdk-web-tiers/jobs/NAME.command through joblock for the tick
# its timer was scheduled for.
set -euo pipefail
name=$1 ttl=$2 keep=$3
# The timer's last trigger in microseconds since the epoch, read over D-Bus: `systemctl show
# --timestamp=unix` is ignored by systemd 252 (Amazon Linux 2023), which prints a local date.
unit=$(busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager \
  LoadUnit s "cdk-web-tiers-job-$name.timer" | sed -n 's/^o "\(.*\)"$/\1/p')
usec=$(busctl get-property org.freedesktop.systemd1 "$unit" org.freedesktop.systemd1.Timer LastTriggerUSec | sed -n 's/^t \([0-9]*\)$/\1/p')
if ! [[ "$usec" =~ ^[0-9]+$ ]]; then
  echo "$(date -u +%FT%TZ) job $name: cannot read the timer's last trigger over D-Bus; not running, so that no host claims a tick of its own" >&2
  exit 1
fi
if [ "$usec" = 0 ]; then
  # Started by hand (systemctl start), not by the timer: the current minute is the tick.
  triggered=$(date +%s)
else
  triggered=$(( usec / 1000000 ))
fi
tick=$(( triggered / 60 * 60 ))
echo "$(date -u +%FT%TZ) job $name: tick $(date -u -d "@$tick" +%FT%TZ) on $(hostname)"
exec "${JOBLOCK:-/usr/local/bin/joblock}" run --name "$name" --ttl "$ttl" --keep "$keep" --tick "$tick" -- \
  /bin/bash "/etc/cdk-web-tiers/jobs/$name.command"
SCRIPT
chmod 0755 "$CWT_HOME/bin/run-job"
cat > "/etc/systemd/system/cdk-web-tiers-job-$JOB_NAME.service" <<UNIT
[Unit]
Description=Scheduled job $JOB_NAME (cdk-web-tiers, one host per tick through joblock)
After=network-online.target remote-fs.target

[Service]
Type=oneshot
User=$APP_USER
Group=$APP_USER
WorkingDirectory=-/var/app/current
EnvironmentFile=-/etc/cdk-web-tiers/app.env
Environment="JOBLOCK_METRICS_FILE=$CWT_LOG_DIR/job-metrics.log" "JOBLOCK_METRICS_TIER=$JOB_TIER"
ExecStart=$CWT_HOME/bin/run-job $JOB_NAME $JOB_TTL $JOB_KEEP
# 200: another host has this tick, which is the expected outcome on all but one host.
SuccessExitStatus=200
StandardOutput=append:$CWT_LOG_DIR/jobs.log
StandardError=append:$CWT_LOG_DIR/jobs.log
UNIT
cat > "/etc/systemd/system/cdk-web-tiers-job-$JOB_NAME.timer" <<UNIT
[Unit]
Description=Schedule of job $JOB_NAME

[Timer]
OnCalendar=$ON_CALENDAR
AccuracySec=1s
# A missed tick is skipped, not caught up (an instance that was down does not run it late).
Persistent=false

[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now "cdk-web-tiers-job-$JOB_NAME.timer"
