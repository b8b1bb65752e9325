#!/bin/sh
# Mount points for reverse-sshfs belong to the user (sshfs runs as the user). After the home
# link and the extra disks, under which a mount point may lie.
set -eu
[ "${LIMA_CIDATA_MOUNTTYPE:-}" = reverse-sshfs ] || exit 0
i=0
while [ "$i" -lt "${LIMA_CIDATA_MOUNTS:-0}" ]; do
	eval "mountpoint=\${LIMA_CIDATA_MOUNTS_${i}_MOUNTPOINT}"
	i=$((i + 1))
	mkdir -p "$mountpoint"
	chown "$LIMA_CIDATA_USER" "$mountpoint"
done
