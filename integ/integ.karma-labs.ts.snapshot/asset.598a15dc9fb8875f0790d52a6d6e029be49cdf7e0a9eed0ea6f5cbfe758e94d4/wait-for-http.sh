# Readiness for a tier behind a load balancer: the instance is ready only once the app answers
# the same health check the target group uses.
# Needs: HEALTH_URL, READY_TIMEOUT_SECONDS
deadline=$(( $(date +%s) + READY_TIMEOUT_SECONDS ))
until curl -fsS -o /dev/null --max-time 5 "$HEALTH_URL"; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "the app did not answer $HEALTH_URL within ${READY_TIMEOUT_SECONDS}s" >&2
    exit 1
  fi
  sleep 5
done
echo "the app answers $HEALTH_URL"
