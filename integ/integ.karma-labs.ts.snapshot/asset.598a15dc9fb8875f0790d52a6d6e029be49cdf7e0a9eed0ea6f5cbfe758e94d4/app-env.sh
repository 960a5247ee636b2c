# Writes an app environment file from a Secrets Manager secret, readable only by the app user.
# The secret holds either a JSON object of key/values or dotenv text. Its value is never printed.
# Needs: SECRET_ARN, ENV_FILE, APP_USER, ENV_PREFIX (may be empty)
set +x
install -d -m 0755 "$(dirname "$ENV_FILE")"
touch "$ENV_FILE"
chown "$APP_USER:$APP_USER" "$ENV_FILE"
chmod 0600 "$ENV_FILE"
value=$(aws secretsmanager get-secret-value --region "$CWT_REGION" --secret-id "$SECRET_ARN" --query SecretString --output text)
SECRET_VALUE="$value" python3 - "$ENV_FILE" "$ENV_PREFIX" <<'PY'
import json, os, re, sys
path, prefix = sys.argv[1], sys.argv[2]
raw = os.environ["SECRET_VALUE"]
try:
    data = json.loads(raw)
except ValueError:
    data = None
if isinstance(data, dict):
    pairs = [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in data.items()]
else:
    pairs = []
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):]
        key, sep, val = line.partition("=")
        if not sep:
            sys.exit("the secret is neither a JSON object nor dotenv text (a line has no '=')")
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
            val = val[1:-1]
        pairs.append((key.strip(), val))
with open(path, "a") as out:
    for key, val in pairs:
        name = prefix + re.sub(r"[^A-Za-z0-9_]", "_", key)
        if "\n" in val:
            sys.exit(f"the value of {name} spans several lines, which an env file cannot hold")
        # systemd EnvironmentFile and `set -a; . file` both read double-quoted values.
        escaped = val.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
        out.write(f'{name}="{escaped}"\n')
print(f"wrote {len(pairs)} variable(s) to {path}")
PY
