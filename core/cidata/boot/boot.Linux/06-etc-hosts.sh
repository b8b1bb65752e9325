#!/bin/sh
# host.lima.internal names the host as seen from the guest (the user-mode network gateway).
set -eu
[ -n "${LIMA_CIDATA_SLIRP_GATEWAY:-}" ] || exit 0
entry=$(printf '%s\thost.lima.internal' "$LIMA_CIDATA_SLIRP_GATEWAY")
tmp=$(mktemp)
grep -v '[[:space:]]host\.lima\.internal\([[:space:]]\|$\)' /etc/hosts >"$tmp" || true
printf '%s\n' "$entry" >>"$tmp"
if ! cmp -s "$tmp" /etc/hosts; then
	# Rewrite in place: /etc/hosts may be a bind mount or a link managed elsewhere.
	cat "$tmp" >/etc/hosts
fi
rm -f "$tmp"
