# Runs the app as a systemd service of the app user that restarts on failure.
# Needs: APP_USER, START_COMMAND, ENV_FILE, APP_PORT (may be empty)
printf '%s\n' "$START_COMMAND" > /etc/cdk-web-tiers/start-command
chmod 0644 /etc/cdk-web-tiers/start-command
cat > /etc/systemd/system/webapp.service <<UNIT
[Unit]
Description=The application (cdk-web-tiers)
After=network-online.target remote-fs.target
Wants=network-online.target

[Service]
User=$APP_USER
Group=$APP_USER
WorkingDirectory=/var/app/current
EnvironmentFile=-$ENV_FILE
Environment=PORT=$APP_PORT
ExecStart=/bin/bash /etc/cdk-web-tiers/start-command
Restart=on-failure
RestartSec=5
NoNewPrivileges=yes
StandardOutput=append:$CWT_LOG_DIR/app.log
StandardError=append:$CWT_LOG_DIR/app.log

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now webapp.service
