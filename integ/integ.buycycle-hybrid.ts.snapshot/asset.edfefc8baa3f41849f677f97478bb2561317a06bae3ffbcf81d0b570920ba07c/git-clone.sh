# Fetches the latest commit of a branch into a new release folder, owned by the app user, and
# points /var/app/current at it. With a deploy key (SSH), the key is read from Secrets Manager into
# the app user's home and host keys are pinned (StrictHostKeyChecking=yes).
# A server that accepts the connection and then never answers must not hang the boot: ssh gives up
# on a connection or banner after ConnectTimeout and on a silent server after ServerAliveInterval x
# ServerAliveCountMax; git over HTTPS aborts a transfer slower than 1 KB/s for 60 s; and each
# attempt has a time limit (GIT_ATTEMPT_SECONDS), inside the step's own (run_step).
# Needs: REPOSITORY, BRANCH, APP_USER; DEPLOY_KEY_ARN and KNOWN_HOSTS for SSH (may be empty)
set +x
attempt_seconds=${GIT_ATTEMPT_SECONDS:-240}
release=/var/app/releases/$(date -u +%Y%m%d%H%M%S)
install -d -o "$APP_USER" -g "$APP_USER" -m 0750 /var/app/releases
git_env=("GIT_SSH_COMMAND=ssh -o ConnectTimeout=15 -o ServerAliveInterval=15 -o ServerAliveCountMax=4 -o BatchMode=yes")
if [ -n "${DEPLOY_KEY_ARN:-}" ]; then
  ssh_dir="/home/$APP_USER/.ssh"
  install -d -o "$APP_USER" -g "$APP_USER" -m 0700 "$ssh_dir"
  key_file="$ssh_dir/deploy_key"
  (umask 077; aws secretsmanager get-secret-value --region "$CWT_REGION" --secret-id "$DEPLOY_KEY_ARN" \
    --query SecretString --output text > "$key_file")
  # Keys pasted into the console sometimes lose their final newline, which ssh rejects.
  [ -n "$(tail -c1 "$key_file")" ] && echo >> "$key_file"
  printf '%s\n' "$KNOWN_HOSTS" > "$ssh_dir/known_hosts"
  chown "$APP_USER:$APP_USER" "$key_file" "$ssh_dir/known_hosts"
  chmod 0600 "$key_file" "$ssh_dir/known_hosts"
  git_env=("${git_env[0]} -i $key_file -o IdentitiesOnly=yes -o UserKnownHostsFile=$ssh_dir/known_hosts -o StrictHostKeyChecking=yes")
fi
attempt=1
until timeout --kill-after=5 "$attempt_seconds" sudo -u "$APP_USER" env "${git_env[@]}" \
  git -c http.lowSpeedLimit=1000 -c http.lowSpeedTime=60 clone --quiet --depth 1 --single-branch --branch "$BRANCH" "$REPOSITORY" "$release"; do
  if [ "$attempt" -ge 3 ]; then
    echo "git clone of $REPOSITORY (branch $BRANCH) failed 3 times (each attempt limited to ${attempt_seconds}s)" >&2
    exit 1
  fi
  rm -rf "$release"
  attempt=$((attempt + 1))
  sleep 5
done
echo "cloned $REPOSITORY@$BRANCH at commit $(sudo -u "$APP_USER" git -C "$release" rev-parse HEAD)"
ln -sfn "$release" /var/app/current
