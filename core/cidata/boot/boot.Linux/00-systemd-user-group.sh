#!/bin/sh
# Users below UID 1000 are system users to journald; membership in systemd-journal lets them
# read their own logs.
set -eu
[ "$LIMA_CIDATA_UID" -lt 1000 ] || exit 0
getent group systemd-journal >/dev/null 2>&1 || exit 0
id -nG "$LIMA_CIDATA_USER" | tr ' ' '\n' | grep -qx systemd-journal && exit 0
if command -v usermod >/dev/null 2>&1; then
	usermod -aG systemd-journal "$LIMA_CIDATA_USER"
else
	addgroup "$LIMA_CIDATA_USER" systemd-journal
fi
