# Readiness for a tier without a load balancer: the health command must succeed once before the
# boot completes the launch lifecycle action. CWT_READY_DEADLINE (set by the prelude) counts from boot start.
# Needs: HEALTH_COMMAND, HEALTH_TIMEOUT_SECONDS
until timeout "$HEALTH_TIMEOUT_SECONDS" bash -c "$HEALTH_COMMAND" >/dev/null; do
  if [ "$(date +%s)" -ge "$CWT_READY_DEADLINE" ]; then
    echo "the health command did not succeed within $(( CWT_READY_DEADLINE - CWT_BOOT_STARTED ))s of the boot's start: $HEALTH_COMMAND" >&2
    exit 1
  fi
  sleep "${CWT_POLL_SECONDS:-5}"
done
echo "the health command succeeds"
