#!/bin/sh
# After cloud-init upgraded the packages, reboot when the package manager asks for it; boot.sh
# then does not report the boot as done, and the next boot runs the scripts again.
set -eu
[ "${LIMA_CIDATA_UPGRADE_PACKAGES:-}" = 1 ] || exit 0
required=false
if [ -e /var/run/reboot-required ]; then
	required=true
elif command -v needs-restarting >/dev/null 2>&1; then
	needs-restarting -r >/dev/null 2>&1 || required=true
fi
if [ "$required" = true ]; then
	echo "The package upgrade requires a reboot"
	touch "$LIMA_REBOOT_REQUIRED"
	(sleep 1 && reboot) >/dev/null 2>&1 &
fi
