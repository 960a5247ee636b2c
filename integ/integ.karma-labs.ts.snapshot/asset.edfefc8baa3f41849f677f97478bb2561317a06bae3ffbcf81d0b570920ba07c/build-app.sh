# Runs the build commands as the app user in the checkout, with the app environment loaded.
# Needs: APP_USER, BUILD_COMMANDS (one command per line), ENV_FILE
cd /var/app/current || exit 1
while IFS= read -r command; do
  [ -z "$command" ] && continue
  echo "build: $command"
  # shellcheck disable=SC2016 # expanded by the app user's shell, not this one
  sudo -u "$APP_USER" -H bash -c 'set -euo pipefail; if [ -r "$1" ]; then set -a; . "$1"; set +a; fi; eval "$2"' \
    build "$ENV_FILE" "$command"
done <<< "$BUILD_COMMANDS"
