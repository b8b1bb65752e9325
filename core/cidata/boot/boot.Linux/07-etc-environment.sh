#!/bin/sh
# Put the instance's environment (env: and proxy variables) into /etc/environment between the
# #LIMA-START and #LIMA-END markers. Sessions started before the change do not see it, so the
# user's sessions are ended; then tell the host that SSH sessions get the new environment.
set -eu
src=$LIMA_CIDATA_MNT/etc_environment
file=/etc/environment
tmp=$(mktemp)
if [ -f "$file" ]; then
	awk '/^#LIMA-START$/ { skip = 1; next } /^#LIMA-END$/ { skip = 0; next } !skip' "$file" >"$tmp"
fi
[ -f "$src" ] && cat "$src" >>"$tmp"
if ! [ -f "$file" ] || ! cmp -s "$tmp" "$file"; then
	cat "$tmp" >"$file"
	chmod 0644 "$file"
	if command -v loginctl >/dev/null 2>&1; then
		loginctl terminate-user "$LIMA_CIDATA_USER" >/dev/null 2>&1 || true
	fi
fi
rm -f "$tmp"
printf '%s\n' "$LIMA_CIDATA_IID" >/run/lima-ssh-ready
