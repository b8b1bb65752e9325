#!/bin/sh
# Additional disks: format them on first use (when asked to and no file system is found),
# then mount each at /mnt/lima-<name>, owned by the user.
set -eu
count=${LIMA_CIDATA_DISKS:-0}
i=0
while [ "$i" -lt "$count" ]; do
	eval "name=\${LIMA_CIDATA_DISK_${i}_NAME}"
	eval "device=/dev/\${LIMA_CIDATA_DISK_${i}_DEVICE}"
	eval "format=\${LIMA_CIDATA_DISK_${i}_FORMAT}"
	eval "fstype=\${LIMA_CIDATA_DISK_${i}_FSTYPE}"
	eval "fsargs=\${LIMA_CIDATA_DISK_${i}_FSARGS}"
	i=$((i + 1))
	label=lima-$name
	mnt=/mnt/$label
	if ! [ -b "$device" ]; then
		echo "Disk $name: $device is not a block device; skipping" >&2
		continue
	fi
	existing=$(blkid -o value -s TYPE "$device" 2>/dev/null || true)
	if [ -z "$existing" ] && [ "$format" = true ]; then
		echo "Disk $name: creating a $fstype file system on $device"
		# fsargs is a space-separated argument list by design.
		# shellcheck disable=SC2086
		"mkfs.$fstype" $fsargs -L "$label" "$device"
		command -v udevadm >/dev/null 2>&1 && udevadm settle || true
	fi
	mkdir -p "$mnt"
	if mountpoint -q "$mnt"; then
		continue
	fi
	source=/dev/disk/by-label/$label
	[ -e "$source" ] || source=$device
	mount -t "$fstype" "$source" "$mnt"
	chown "$LIMA_CIDATA_UID" "$mnt"
done
