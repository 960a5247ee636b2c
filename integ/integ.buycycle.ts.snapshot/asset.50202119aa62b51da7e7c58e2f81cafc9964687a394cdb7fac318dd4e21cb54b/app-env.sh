# Writes an app environment file from a Secrets Manager secret, readable only by the app user.
# The secret holds either a JSON object of key/values or dotenv text. Its value is never printed.
# The file is read both by systemd (EnvironmentFile=) and by bash (`set -a; . file` in the build),
# so every line is NAME="value" with \ " $ ` escaped, which both read the same way, newlines included.
# Needs: SECRET_ARN, ENV_FILE, APP_USER, ENV_PREFIX (may be empty), APP_PORT (may be empty: no
# port is owned by the tier, so a PORT key is kept)
set +x
install -d -m 0755 "$(dirname "$ENV_FILE")"
touch "$ENV_FILE"
chown "$APP_USER:$APP_USER" "$ENV_FILE"
chmod 0600 "$ENV_FILE"
value=$(aws secretsmanager get-secret-value --region "$CWT_REGION" --secret-id "$SECRET_ARN" --query SecretString --output text)
SECRET_VALUE="$value" python3 "$CWT_BOOT_DIR/env_file.py" "$ENV_FILE" "$ENV_PREFIX" "${APP_PORT:-}"
