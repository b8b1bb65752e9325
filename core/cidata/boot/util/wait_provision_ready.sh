#!/bin/sh
# usage: wait_provision_ready.sh
# In Lima, package installs and provisions run from cloud-init's last stage, after its config
# stage (apt sources and proxies, passwords, locale) and after the network is online. The boot
# scripts may start before both (LIMA_BOOT_EARLY=1: the unit queued from cloud-init's bootcmd,
# see user_data.ts, or lima-init, whose unit only wants the network), so those steps wait here.
[ "${LIMA_BOOT_EARLY:-}" = 1 ] || exit 0
command -v systemctl >/dev/null 2>&1 || exit 0
waited=false
while [ "$(systemctl show -p ActiveState --value cloud-config.service 2>/dev/null)" = activating ] ||
	[ -n "$(systemctl list-jobs --no-legend cloud-config.service 2>/dev/null)" ]; do
	if [ "$waited" = false ]; then
		echo "Waiting for cloud-init's config stage to finish"
		# The early boot unit lowered its CPU weight (user_data.ts); now the boot waits for it.
		systemctl set-property --runtime cloud-config.service CPUWeight=100 2>/dev/null || true
	fi
	waited=true
	sleep 0.5
done
if ! systemctl -q is-active network-online.target; then
	echo "Waiting for the network to be online"
	# Joins the pending start job and returns when it is done, whatever its result.
	systemctl start network-online.target || true
fi
