# Creates the unprivileged user that builds and runs the app, and the directories it owns.
# Needs: APP_USER
if ! id "$APP_USER" >/dev/null 2>&1; then
  useradd --system --create-home --home-dir "/home/$APP_USER" --shell /sbin/nologin "$APP_USER"
fi
install -d -o "$APP_USER" -g "$APP_USER" -m 0750 /var/app
touch "$CWT_LOG_DIR/app.log" "$CWT_LOG_DIR/jobs.log"
chown "$APP_USER:$APP_USER" "$CWT_LOG_DIR/app.log" "$CWT_LOG_DIR/jobs.log"
