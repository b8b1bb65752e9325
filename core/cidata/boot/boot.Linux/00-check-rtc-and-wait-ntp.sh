#!/bin/sh
# Without a real-time clock the guest starts at the epoch; TLS and package managers need the
# right time, so wait for NTP before the later scripts run.
set -eu
[ -e /dev/rtc0 ] && exit 0
command -v timedatectl >/dev/null 2>&1 || exit 0
[ -d /run/systemd/system ] || exit 0
i=0
while [ "$i" -lt 60 ]; do
	if [ "$(timedatectl show --property=NTPSynchronized --value 2>/dev/null)" = yes ]; then
		exit 0
	fi
	i=$((i + 1))
	sleep 1
done
echo "NTP did not synchronise the clock; continuing anyway" >&2
