#!/bin/sh
# host.lima.internal names the host as seen from the guest (the user-mode network gateway).
# Shell builtins only: a process start costs tens of milliseconds on an emulated CPU.
set -eu
[ -n "${LIMA_CIDATA_SLIRP_GATEWAY:-}" ] || exit 0
old= new=
while IFS= read -r line || [ -n "$line" ]; do
	old="$old$line
"
	case $line in
	*[[:space:]]host.lima.internal | *[[:space:]]host.lima.internal[[:space:]]*) ;;
	*) new="$new$line
" ;;
	esac
done </etc/hosts
new="$new$LIMA_CIDATA_SLIRP_GATEWAY	host.lima.internal
"
# Rewritten in place: /etc/hosts may be a bind mount or a link managed elsewhere.
[ "$new" = "$old" ] || printf '%s' "$new" >/etc/hosts
