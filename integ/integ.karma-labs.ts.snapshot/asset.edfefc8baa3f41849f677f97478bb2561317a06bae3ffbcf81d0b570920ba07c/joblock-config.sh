# Writes the lock's connection URL (rediss://, AUTH token from Secrets Manager) to an env file that
# only root and the app user's group can read. The token is never printed.
# Needs: AUTH_SECRET_ARN, LOCK_HOST, LOCK_PORT, APP_USER
set +x
token=$(aws secretsmanager get-secret-value --region "$CWT_REGION" --secret-id "$AUTH_SECRET_ARN" --query SecretString --output text)
encoded=$(TOKEN="$token" python3 -c 'import os, urllib.parse; print(urllib.parse.quote(os.environ["TOKEN"], safe=""))')
install -d -m 0755 /etc/cdk-web-tiers
(umask 027; printf 'JOBLOCK_REDIS_URL=rediss://:%s@%s:%s\n' "$encoded" "$LOCK_HOST" "$LOCK_PORT" > /etc/cdk-web-tiers/joblock.env)
chown "root:$APP_USER" /etc/cdk-web-tiers/joblock.env
chmod 0640 /etc/cdk-web-tiers/joblock.env
echo "joblock connection written to /etc/cdk-web-tiers/joblock.env"
