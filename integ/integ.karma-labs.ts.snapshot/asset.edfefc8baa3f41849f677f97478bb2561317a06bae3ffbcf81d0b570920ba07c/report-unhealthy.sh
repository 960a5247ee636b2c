#!/bin/bash
# Marks this instance unhealthy in its Auto Scaling group (SetInstanceHealth), which then replaces
# it whatever the group's health check type. Installed by runtime/boot/app-service.sh and run by
# systemd when the app's service fails for good (OnFailure=: its start limit tripped, a crash
# loop). Before the boot has completed the launch (CONTINUE) it does nothing: the boot is still
# waiting for the app and reports the failure itself (FAILURE signal, ABANDON).
# Usage: report-unhealthy REASON
set -uo pipefail
etc=${CWT_ETC:-/etc/cdk-web-tiers}
# shellcheck source=/dev/null
source "$etc/fleet.env"
reason=${1:-unknown}
if [ ! -e "$etc/launch-continued" ]; then
  echo "$(date -u +%FT%TZ) $reason: the launch is not complete yet, the boot reports it"
  exit 0
fi
echo "$(date -u +%FT%TZ) $reason: marking instance $INSTANCE_ID unhealthy"
for attempt in 1 2 3 4 5 6; do
  if timeout 60 aws autoscaling set-instance-health --region "$CWT_REGION" --instance-id "$INSTANCE_ID" \
    --health-status Unhealthy --no-should-respect-grace-period; then
    echo "$(date -u +%FT%TZ) marked unhealthy: Auto Scaling replaces the instance"
    exit 0
  fi
  sleep "$(( attempt * ${CWT_RETRY_SECONDS:-5} ))"
done
echo "$(date -u +%FT%TZ) could not mark the instance unhealthy"
exit 1
