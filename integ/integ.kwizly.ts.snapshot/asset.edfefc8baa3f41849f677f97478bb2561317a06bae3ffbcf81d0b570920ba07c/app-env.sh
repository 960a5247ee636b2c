# Writes an app environment file from a Secrets Manager secret, readable only by the app user.
# The secret holds either a JSON object of key/values or dotenv text. Its value is never printed.
# The file is read both by systemd (EnvironmentFile=) and by bash (`set -a; . file` in the build),
# so every line is NAME="value" with \ " $ ` escaped, which both read the same way, newlines included.
# Each secret (one step each) writes its own part in ENV_FILE.d, and the file is the parts joined in
# step order, written whole and renamed into place: a step run again (after a reboot in the middle
# of the boot) gives the same file, never one with every variable twice.
# Needs: SECRET_ARN, ENV_FILE, APP_USER, ENV_PREFIX (may be empty), APP_PORT (may be empty: no
# port is owned by the tier, so a PORT key is kept), REQUIRED_KEYS (may be empty)
set +x
install -d -m 0755 "$(dirname "$ENV_FILE")"
parts="$ENV_FILE.d"
install -d -m 0700 "$parts"
# The whole answer, not --query SecretString: a binary secret has none, and the CLI would print "None".
response=$(aws secretsmanager get-secret-value --region "$CWT_REGION" --secret-id "$SECRET_ARN" --output json)
SECRET_RESPONSE="$response" REQUIRED_KEYS="${REQUIRED_KEYS:-}" \
  python3 "$CWT_BOOT_DIR/env_file.py" "$parts/${CWT_STEP:-app-env}" "$ENV_PREFIX" "${APP_PORT:-}"
(
  umask 077
  tmp=$(mktemp "$ENV_FILE.XXXXXX")
  find "$parts" -maxdepth 1 -type f ! -name '*.tmp' -printf '%f\n' | sort -V | while IFS= read -r part; do
    cat "$parts/$part"
  done > "$tmp"
  chown "$APP_USER:$APP_USER" "$tmp"
  chmod 0600 "$tmp"
  mv -f "$tmp" "$ENV_FILE"
)
