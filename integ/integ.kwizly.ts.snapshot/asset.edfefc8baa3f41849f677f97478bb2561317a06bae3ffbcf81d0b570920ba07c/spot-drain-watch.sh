#!/bin/bash
# Watches for a Spot interruption notice (instance metadata spot/instance-action, about two minutes
# before EC2 takes the instance back) and then deregisters the instance from its target group, so
# that the load balancer sends it no new requests and lets those in flight finish. Installed as a
# service by runtime/boot/spot-drain.sh.
set -uo pipefail
etc=${CWT_ETC:-/etc/cdk-web-tiers}
# shellcheck source=/dev/null
source "$etc/fleet.env"
# shellcheck source=/dev/null
source "$etc/spot-drain.env"
while :; do
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' || true)
  if notice=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/spot/instance-action 2>/dev/null); then
    echo "$(date -u +%FT%TZ) Spot interruption notice: $notice; leaving the target group"
    for attempt in 1 2 3 4 5; do
      aws elbv2 deregister-targets --region "$CWT_REGION" --target-group-arn "$TARGET_GROUP_ARN" --targets "Id=$INSTANCE_ID" && exit 0
      sleep "$(( attempt * ${CWT_RETRY_SECONDS:-1} ))"
    done
    echo "$(date -u +%FT%TZ) could not leave the target group"
    exit 1
  fi
  sleep "${CWT_POLL_SECONDS:-5}"
done
