# Readiness for a tier behind a load balancer: the app must answer, on the instance, the same
# health check the target group uses, before the boot completes the launch lifecycle action (which
# puts the instance in the target group). CWT_READY_DEADLINE (set by the prelude) counts from boot start.
# An app service that failed for good (its start limit tripped: a crash loop) fails the step at once.
# Needs: HEALTH_URL
until curl -fsS -o /dev/null --max-time 5 "$HEALTH_URL"; do
  if systemctl is-failed --quiet webapp.service 2>/dev/null; then
    echo "the app's service failed ($(systemctl show -p Result --value webapp.service 2>/dev/null)): see $CWT_LOG_DIR/app.log" >&2
    exit 1
  fi
  if [ "$(date +%s)" -ge "$CWT_READY_DEADLINE" ]; then
    echo "the app did not answer $HEALTH_URL within $(( CWT_READY_DEADLINE - CWT_BOOT_STARTED ))s of the boot's start" >&2
    exit 1
  fi
  sleep "${CWT_POLL_SECONDS:-5}"
done
echo "the app answers $HEALTH_URL"
