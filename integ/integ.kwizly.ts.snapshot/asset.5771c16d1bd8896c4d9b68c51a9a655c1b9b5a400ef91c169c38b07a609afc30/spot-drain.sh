# Spot interruption drain: a service polls the instance metadata for a Spot interruption notice
# (about two minutes before EC2 takes the instance back) and, when one arrives, deregisters the
# instance from its target group, so that the load balancer sends it no new requests and lets the
# ones in flight finish (deregistration delay) before the instance goes.
# Needs: TARGET_GROUP_ARN
cat > "$CWT_HOME/bin/spot-drain" <<SCRIPT
#!/bin/bash
set -uo pipefail
source /etc/cdk-web-tiers/fleet.env
while :; do
  token=\$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' || true)
  if notice=\$(curl -fsS -H "X-aws-ec2-metadata-token: \$token" http://169.254.169.254/latest/meta-data/spot/instance-action 2>/dev/null); then
    echo "\$(date -u +%FT%TZ) Spot interruption notice: \$notice; leaving the target group"
    for attempt in 1 2 3 4 5; do
      aws elbv2 deregister-targets --region "\$CWT_REGION" --target-group-arn '$TARGET_GROUP_ARN' --targets "Id=\$INSTANCE_ID" && exit 0
      sleep "\$attempt"
    done
    exit 1
  fi
  sleep 5
done
SCRIPT
chmod 0755 "$CWT_HOME/bin/spot-drain"
cat > /etc/systemd/system/cdk-web-tiers-spot-drain.service <<UNIT
[Unit]
Description=cdk-web-tiers: leave the target group on a Spot interruption notice
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=$CWT_HOME/bin/spot-drain
Restart=on-failure
StandardOutput=append:$CWT_LOG_DIR/spot.log
StandardError=append:$CWT_LOG_DIR/spot.log

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now cdk-web-tiers-spot-drain.service
