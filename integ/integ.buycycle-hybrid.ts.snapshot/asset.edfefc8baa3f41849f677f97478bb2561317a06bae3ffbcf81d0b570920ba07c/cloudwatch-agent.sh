# Ships the boot log and the app log to CloudWatch Logs, so a failed boot leaves its reason
# somewhere you can read after Auto Scaling has replaced the instance; also the journal (the app
# of a pre-baked image logs there) and joblock's tick outcomes (embedded metric format). Receives
# OpenTelemetry traces (OTLP on 127.0.0.1:4317 gRPC and 4318 HTTP, the SDKs' defaults) and forwards
# them to AWS X-Ray: an app instrumented with any OpenTelemetry SDK is traced without another daemon.
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
          { "file_path": "$CWT_LOG_DIR/health.log", "log_group_name": "$CWT_LOG_GROUP", "log_stream_name": "{instance_id}/health" },
          { "file_path": "$CWT_LOG_DIR/job-metrics.log", "log_group_name": "$CWT_LOG_GROUP", "log_stream_name": "{instance_id}/job-metrics" },
          { "file_path": "$CWT_LOG_DIR/journal.log", "log_group_name": "$CWT_LOG_GROUP", "log_stream_name": "{instance_id}/journal" }
        ]
      }
    }
  },
  "traces": {
    "traces_collected": {
      "otlp": { "grpc_endpoint": "127.0.0.1:4317", "http_endpoint": "127.0.0.1:4318" }
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
# The journal (info and above) as a file the agent tails; logrotate keeps it small on the root volume.
cat > /etc/systemd/system/cdk-web-tiers-journal.service <<UNIT
[Unit]
Description=cdk-web-tiers: the journal into $CWT_LOG_DIR/journal.log for the CloudWatch agent

[Service]
ExecStart=/bin/sh -c 'exec journalctl --follow --since now --priority info --output short-iso >> $CWT_LOG_DIR/journal.log'
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
if [ -d /etc/logrotate.d ]; then
  cat > /etc/logrotate.d/cdk-web-tiers <<ROTATE
$CWT_LOG_DIR/journal.log $CWT_LOG_DIR/job-metrics.log {
  size 50M
  rotate 2
  copytruncate
  missingok
  notifempty
}
ROTATE
fi
systemctl daemon-reload
systemctl enable --now cdk-web-tiers-journal.service
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c file:/opt/aws/amazon-cloudwatch-agent/etc/cdk-web-tiers.json
