# Installs OS packages the app needs (git for a repository source, runtimes named by the user).
# Needs: PACKAGES (space-separated)
# shellcheck disable=SC2086 # PACKAGES is a word list on purpose
if command -v dnf >/dev/null 2>&1; then dnf install -y -q $PACKAGES
elif command -v yum >/dev/null 2>&1; then yum install -y -q $PACKAGES
elif command -v apt-get >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES
else echo "no dnf, yum or apt-get to install: $PACKAGES" >&2; exit 1
fi
