# Readiness for a tier without a load balancer: the health command must succeed once.
# Needs: HEALTH_COMMAND, HEALTH_TIMEOUT_SECONDS, READY_TIMEOUT_SECONDS
deadline=$(( $(date +%s) + READY_TIMEOUT_SECONDS ))
until timeout "$HEALTH_TIMEOUT_SECONDS" bash -c "$HEALTH_COMMAND" >/dev/null; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "the health command did not succeed within ${READY_TIMEOUT_SECONDS}s: $HEALTH_COMMAND" >&2
    exit 1
  fi
  sleep 5
done
echo "the health command succeeds"
