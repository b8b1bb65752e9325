#!/bin/sh
# What rootless containers and user services need on systemd guests: sbin on PATH,
# unprivileged user namespaces and ports, and subordinate ID ranges. The user's delegated,
# lingering manager comes from 00-user-manager.sh.
# Every process start is slow on an emulated CPU, so work already done is skipped.
set -eu
command -v systemctl >/dev/null 2>&1 || exit 0
[ -d /run/systemd/system ] || exit 0
user=$LIMA_CIDATA_USER
home=$LIMA_CIDATA_HOME

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

