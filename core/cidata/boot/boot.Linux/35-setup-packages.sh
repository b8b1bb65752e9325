#!/bin/sh
# sshfs mounts are made by the user but used by other users and services too: fuse must allow
# allow_other. Then tell the host that fuse is ready, and set up the DNS redirection if
# iptables only arrived with the package installation.
set -eu
if [ "${LIMA_CIDATA_MOUNTS:-0}" -gt 0 ]; then
	conf=/etc/fuse.conf
	[ -e /etc/fuse.conf ] || ! [ -e /etc/fuse3.conf ] || conf=/etc/fuse3.conf
	if ! grep -qs '^[[:space:]]*user_allow_other' "$conf"; then
		printf 'user_allow_other\n' >>"$conf"
	fi
fi
printf '%s\n' "$LIMA_CIDATA_IID" >/run/lima-fuse-ready

if { [ "${LIMA_CIDATA_UDP_DNS_LOCAL_PORT:-0}" -ne 0 ] || [ "${LIMA_CIDATA_TCP_DNS_LOCAL_PORT:-0}" -ne 0 ]; } &&
	command -v iptables >/dev/null 2>&1 && ! iptables -t nat -S LIMADNS >/dev/null 2>&1; then
	"$LIMA_CIDATA_MNT/boot.Linux/09-host-dns-setup.sh"
fi
