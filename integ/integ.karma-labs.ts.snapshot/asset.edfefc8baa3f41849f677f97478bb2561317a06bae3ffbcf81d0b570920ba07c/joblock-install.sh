# Installs the joblock CLI (a single esbuild bundle from a CDK asset) and Node.js to run it, and a
# `joblock` wrapper that loads the lock's connection URL.
# Needs: CLI_BUCKET, CLI_KEY, APP_USER
if ! command -v node >/dev/null 2>&1; then
  if command -v dnf >/dev/null 2>&1; then dnf install -y -q nodejs
  elif command -v yum >/dev/null 2>&1; then yum install -y -q nodejs
  else echo "Node.js is not installed and no dnf/yum to install it" >&2; exit 1
  fi
fi
aws s3 cp --region "$CWT_REGION" --only-show-errors "s3://$CLI_BUCKET/$CLI_KEY" "$CWT_HOME/bin/joblock.js"
chmod 0644 "$CWT_HOME/bin/joblock.js"
cat > /usr/local/bin/joblock <<WRAPPER
#!/bin/bash
# joblock: run a scheduled command on exactly one host per tick (see 'joblock --help').
if [ -z "\${JOBLOCK_REDIS_URL:-}" ] && [ -r /etc/cdk-web-tiers/joblock.env ]; then
  set -a; . /etc/cdk-web-tiers/joblock.env; set +a
fi
exec node $CWT_HOME/bin/joblock.js "\$@"
WRAPPER
chmod 0755 /usr/local/bin/joblock
node "$CWT_HOME/bin/joblock.js" --help >/dev/null
