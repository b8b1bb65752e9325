#!/bin/sh
# What rootless containers and user services need on systemd guests: the user's own home,
# sbin on PATH, a delegated cgroup subtree, unprivileged user namespaces and ports, subordinate
# ID ranges, and a user manager that runs without a login session (linger).
# Every process start is slow on an emulated CPU, so work already done is skipped.
set -eu
command -v systemctl >/dev/null 2>&1 || exit 0
[ -d /run/systemd/system ] || exit 0
user=$LIMA_CIDATA_USER
uid=$LIMA_CIDATA_UID
home=$LIMA_CIDATA_HOME

# cloud-init creates the home as root when its parent directory did not exist.
if [ -d "$home" ] && [ "$(stat -c %u "$home")" != "$uid" ]; then
	chown "$user" "$home"
fi

. "$LIMA_CIDATA_MNT/util/replace_block.sh"
block="PATH=\"\$PATH:/usr/sbin:/sbin\""
read -r kernel </proc/sys/kernel/osrelease
if compare_version.sh "${kernel%%-*}" lt 5.13; then
	# Kernels before 5.13 cannot mount overlayfs without privileges.
	block="$block
export CONTAINERD_SNAPSHOTTER=fuse-overlayfs"
fi
for rc in .profile .bashrc .zshrc; do
	[ ! -f "$home/$rc" ] || replace_block "$home/$rc" "# Lima BEGIN" "# Lima END" "# Lima BEGIN
# Make sure iptables and mount.fuse3 are available
$block
# Lima END
"
done

# The drop-in affects user managers loaded after it is written; cloud-init writes it before
# the first login. A manager already running keeps its settings until a reload, which takes
# seconds of an emulated CPU and blocks systemd meanwhile. Nothing later in the boot needs the
# reload or linger (which must come after it, so that the manager linger starts is delegated),
# so both go on in the background.
reload=false
dropin=/etc/systemd/system/user@.service.d/lima.conf
if ! [ -f "$dropin" ]; then
	mkdir -p "${dropin%/*}"
	printf '[Service]\nDelegate=yes\n' >"$dropin"
	[ ! -d "/run/user/$uid" ] || reload=true
fi
linger=false
if command -v loginctl >/dev/null 2>&1 && ! [ -e "/var/lib/systemd/linger/$user" ]; then
	linger=true
fi
finish() {
	[ "$reload" = false ] || systemctl daemon-reload || true
	[ "$linger" = false ] || loginctl enable-linger "$user" || true
}

sysctl_conf=/etc/sysctl.d/99-lima.conf
{
	if [ -e /proc/sys/kernel/unprivileged_userns_clone ]; then
		echo "kernel.unprivileged_userns_clone=1"
	fi
	echo "net.ipv4.ping_group_range = 0 2147483647"
	echo "net.ipv4.ip_unprivileged_port_start=0"
} >"$sysctl_conf"
sysctl --load "$sysctl_conf" >/dev/null 2>&1 || sysctl -p "$sysctl_conf" >/dev/null 2>&1 || true

for file in /etc/subuid /etc/subgid; do
	[ -e "$file" ] || : >"$file"
	found=false
	while IFS=: read -r name _ || [ -n "$name" ]; do
		[ "$name" != "$user" ] || found=true
	done <"$file"
	[ "$found" = true ] || printf '%s:524288:1073741824\n' "$user" >>"$file"
done

# Detached from the boot's output, which cloud-init reads until every writer has closed it.
if [ "$reload" = true ] || [ "$linger" = true ]; then
	finish </dev/null >/dev/null 2>&1 &
fi
