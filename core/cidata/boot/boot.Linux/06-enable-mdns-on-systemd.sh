#!/bin/sh
# Resolve .local names in the guest the way the host does (Lima's script of the same name). When
# the host resolver answers the guest's DNS, single-label names go to it too, which Lima does
# not do: systemd-resolved otherwise asks only LLMNR for them, so a `hostResolver.hosts` name
# without a dot (`myhost`) would never resolve. Guests without systemd-resolved already send
# such names to their name server.
set -eu
command -v systemctl >/dev/null 2>&1 || exit 0
systemctl is-active --quiet systemd-resolved 2>/dev/null || exit 0
conf=/etc/systemd/resolved.conf.d/00-lima.conf
want='[Resolve]
MulticastDNS=yes
'
single=no
if [ "${LIMA_CIDATA_UDP_DNS_LOCAL_PORT:-0}" -ne 0 ] || [ "${LIMA_CIDATA_TCP_DNS_LOCAL_PORT:-0}" -ne 0 ]; then
	single=yes
	want="${want}ResolveUnicastSingleLabel=yes
"
fi
# Read with builtins: a process start costs tens of milliseconds on an emulated CPU.
have=
if [ -f "$conf" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		have="$have$line
"
	done <"$conf"
fi
[ "$have" != "$want" ] || exit 0
[ -d "${conf%/*}" ] || mkdir -p "${conf%/*}"
printf '%s' "$want" >"$conf"
# The running resolver read the old file when it started. Many builds already default to
# MulticastDNS=yes; then, with the single-label setting unchanged, a restart (seconds on an
# emulated CPU) would change nothing.
case $have in
*ResolveUnicastSingleLabel=yes*) had=yes ;;
*) had=no ;;
esac
if [ "$had" = "$single" ]; then
	current=$(busctl get-property org.freedesktop.resolve1 /org/freedesktop/resolve1 \
		org.freedesktop.resolve1.Manager MulticastDNS 2>/dev/null || true)
	[ "$current" != 's "yes"' ] || exit 0
fi
systemctl restart systemd-resolved
