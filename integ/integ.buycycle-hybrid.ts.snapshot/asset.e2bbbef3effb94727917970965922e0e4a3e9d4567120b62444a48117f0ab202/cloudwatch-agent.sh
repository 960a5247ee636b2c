# Ships the boot log and the app log to CloudWatch Logs, so a failed boot leaves its reason
# somewhere you can read after Auto Scaling has replaced the instance.
# Needs: CWT_LOG_GROUP
if ! [ -x /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl ]; then
  if command -v dnf >/dev/null 2>&1; then dnf install -y -q amazon-cloudwatch-agent
  elif command -v yum >/dev/null 2>&1; then yum install -y -q amazon-cloudwatch-agent
  else echo "amazon-cloudwatch-agent is not installed and no dnf/yum to install it" >&2; exit 1
  fi
fi
mkdir -p /opt/aws/amazon-cloudwatch-agent/etc
cat > /opt/aws/amazon-cloudwatch-agent/etc/cdk-web-tiers.json <<JSON
{
  "agent": { "run_as_user": "root" },
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          { "file_path": "$CWT_LOG_DIR/boot.log", "log_group_name": "$CWT_LOG_GROUP", "log_stream_name": "{instance_id}/boot" },
          { "file_path": "$CWT_LOG_DIR/app.log", "log_group_name": "$CWT_LOG_GROUP", "log_stream_name": "{instance_id}/app" },
          { "file_path": "$CWT_LOG_DIR/jobs.log", "log_group_name": "$CWT_LOG_GROUP", "log_stream_name": "{instance_id}/jobs" },
          { "file_path": "$CWT_LOG_DIR/health.log", "log_group_name": "$CWT_LOG_GROUP", "log_stream_name": "{instance_id}/health" }
        ]
      }
    }
  },
  "metrics": {
    "namespace": "CWAgent",
    "append_dimensions": { "AutoScalingGroupName": "\${aws:AutoScalingGroupName}" },
    "aggregation_dimensions": [["AutoScalingGroupName"]],
    "metrics_collected": {
      "mem": { "measurement": ["mem_used_percent"] },
      "disk": { "measurement": ["used_percent"], "resources": ["/"] }
    }
  }
}
JSON
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c file:/opt/aws/amazon-cloudwatch-agent/etc/cdk-web-tiers.json
