#!/bin/sh
# Resolve .local names in the guest the way the host does.
set -eu
command -v systemctl >/dev/null 2>&1 || exit 0
systemctl is-active --quiet systemd-resolved 2>/dev/null || exit 0
conf=/etc/systemd/resolved.conf.d/00-lima.conf
# Read with builtins: a process start costs tens of milliseconds on an emulated CPU.
section= setting= rest=
[ ! -f "$conf" ] || { IFS= read -r section && IFS= read -r setting && IFS= read -r rest; } <"$conf" || true
if [ "$section" != "[Resolve]" ] || [ "$setting" != "MulticastDNS=yes" ] || [ -n "$rest" ]; then
	[ -d "${conf%/*}" ] || mkdir -p "${conf%/*}"
	printf '[Resolve]\nMulticastDNS=yes\n' >"$conf"
	# Many builds already default to MulticastDNS=yes; then the running resolver has it on and
	# a restart (seconds on an emulated CPU) would change nothing.
	current=$(busctl get-property org.freedesktop.resolve1 /org/freedesktop/resolve1 \
		org.freedesktop.resolve1.Manager MulticastDNS 2>/dev/null || true)
	if [ "$current" != 's "yes"' ]; then
		systemctl restart systemd-resolved
	fi
fi
