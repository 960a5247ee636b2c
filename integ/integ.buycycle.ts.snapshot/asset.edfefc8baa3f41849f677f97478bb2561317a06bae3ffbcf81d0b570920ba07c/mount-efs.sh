# Mounts an EFS access point over TLS with IAM authorization (amazon-efs-utils), and records it in
# /etc/fstab so a reboot mounts it again.
# Needs: FILE_SYSTEM_ID, ACCESS_POINT_ID, MOUNT_PATH
if ! command -v mount.efs >/dev/null 2>&1; then
  if command -v dnf >/dev/null 2>&1; then dnf install -y -q amazon-efs-utils
  elif command -v yum >/dev/null 2>&1; then yum install -y -q amazon-efs-utils
  else echo "amazon-efs-utils is not installed and cannot be installed here (no dnf/yum)" >&2; exit 1
  fi
fi
mkdir -p "$MOUNT_PATH"
options="_netdev,noresvport,tls,iam,accesspoint=$ACCESS_POINT_ID"
if ! grep -qs " $MOUNT_PATH efs " /etc/fstab; then
  echo "$FILE_SYSTEM_ID:/ $MOUNT_PATH efs $options 0 0" >> /etc/fstab
fi
# A new file system's mount target DNS name can take a minute to resolve.
attempt=1
until mountpoint -q "$MOUNT_PATH" || mount "$MOUNT_PATH"; do
  if [ "$attempt" -ge 12 ]; then
    echo "could not mount $FILE_SYSTEM_ID ($ACCESS_POINT_ID) on $MOUNT_PATH" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 10
done
echo "mounted $FILE_SYSTEM_ID ($ACCESS_POINT_ID) on $MOUNT_PATH over TLS"
