#!/bin/sh
# The time zone set by `timezone` in lima.yaml (the seed's `timezone` file): /etc/localtime
# points at its zoneinfo file. A guest without time zone data (no tzdata) gets the host's data
# for that zone from the seed. Done here rather than by cloud-init's timezone module, which
# fails on such guests and does not run on guests that boot without cloud-init.
set -eu
zone=
[ ! -f "$LIMA_CIDATA_MNT/timezone" ] || IFS= read -r zone <"$LIMA_CIDATA_MNT/timezone" || true
[ -n "$zone" ] || exit 0
file=/usr/share/zoneinfo/$zone
if ! [ -f "$file" ]; then
	if ! [ -f "$LIMA_CIDATA_MNT/zoneinfo" ]; then
		echo "Cannot set the time zone to $zone: the guest has no $file (install tzdata)" >&2
		exit 1
	fi
	mkdir -p "${file%/*}"
	cp "$LIMA_CIDATA_MNT/zoneinfo" "$file"
	chmod 644 "$file"
fi
[ "$(readlink /etc/localtime 2>/dev/null || true)" = "$file" ] || ln -sfn "$file" /etc/localtime
# Debian and Ubuntu also keep the name in /etc/timezone.
if [ -e /etc/timezone ] || [ -e /etc/debian_version ]; then
	[ "$(cat /etc/timezone 2>/dev/null || true)" = "$zone" ] || echo "$zone" >/etc/timezone
fi
echo "Time zone: $zone"
