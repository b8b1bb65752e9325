#!/bin/sh
# usage: wait_cloud_config.sh
# The boot scripts may start while cloud-init's config stage still runs (LIMA_BOOT_EARLY=1, see
# user_data.ts). What that stage sets up (apt sources and proxies, passwords, locale) must be in
# place before packages are installed or provisions run, as in Lima, where they run after it.
[ "${LIMA_BOOT_EARLY:-}" = 1 ] || exit 0
command -v systemctl >/dev/null 2>&1 || exit 0
waited=false
while [ "$(systemctl show -p ActiveState --value cloud-config.service 2>/dev/null)" = activating ] ||
	[ -n "$(systemctl list-jobs --no-legend cloud-config.service 2>/dev/null)" ]; do
	[ "$waited" = true ] || echo "Waiting for cloud-init's config stage to finish"
	waited=true
	sleep 0.5
done
