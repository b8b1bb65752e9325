#!/bin/sh
# lima-init: the fast boot path. Boots a guest from this seed without cloud-init: the guest's
# hostname, the user with its SSH keys and sudo rule, the host keys, the 9p/virtiofs mounts,
# then boot.sh. An image runs it as root from a unit ordered after the local file systems and
# before sshd, with the seed mounted at $1 (see docs/images.md), so the guest is ready when
# sshd first accepts a login.
# Everything goes to /var/log/lima-init.log, which cloud-init-output.log points at.
set -eu
MNT=${1:-/mnt/lima-cidata}
LIMA_CIDATA_MNT=$MNT
export LIMA_CIDATA_MNT
LOG=/var/log/lima-init.log
# With no free block on the root file system not even the log below can be written: the console
# says so, as boot.sh does, and the host agent ends the boot naming it.
# shellcheck disable=SC2046 # the two numbers are meant to be split
set -- $(stat -f -c '%f %S' / 2>/dev/null)
if [ $# -eq 2 ] && [ "$(($1 * $2))" -lt 1048576 ]; then
	printf 'LIMA| disk full: / has %s bytes free\n' "$(($1 * $2))" >/dev/console 2>/dev/null || :
fi
exec >>"$LOG" 2>&1
ln -sfn lima-init.log /var/log/cloud-init-output.log
echo "lima-init: $(cat /proc/uptime)"

while IFS= read -r line || [ -n "$line" ]; do
	case $line in [A-Z]*=*) export "$line" ;; esac
done <"$MNT/lima.env"

hn=$(sed -n 's/^local-hostname: *//p' "$MNT/meta-data")
if [ -n "$hn" ]; then
	echo "$hn" >/etc/hostname
	hostname "$hn"
	grep -q "[[:space:]]$hn\$" /etc/hosts || printf '127.0.1.1\t%s\n' "$hn" >>/etc/hosts
fi

user=$LIMA_CIDATA_USER
if ! id "$user" >/dev/null 2>&1; then
	useradd --create-home --home-dir "$LIMA_CIDATA_HOME" --uid "$LIMA_CIDATA_UID" \
		--shell "${LIMA_CIDATA_SHELL:-/bin/bash}" --comment "${LIMA_CIDATA_COMMENT:-}" "$user"
fi
if [ "${LIMA_CIDATA_PASSWORDLESS_SUDO:-}" = 1 ]; then
	echo "$user ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/90-lima-init
	chmod 0440 /etc/sudoers.d/90-lima-init
fi
install -d -m 0700 -o "$user" "$LIMA_CIDATA_HOME/.ssh"
install -m 0600 -o "$user" "$MNT/ssh_authorized_keys" "$LIMA_CIDATA_HOME/.ssh/authorized_keys"
# A guest killed soon after its first boot can come back with empty key files; sshd would then
# never start, so a key that does not load is made again.
key=/etc/ssh/ssh_host_ed25519_key
if ! ssh-keygen -y -f "$key" >/dev/null 2>&1 || [ ! -s "$key.pub" ]; then
	rm -f "$key" "$key.pub"
	ssh-keygen -q -t ed25519 -N '' -f "$key"
fi
# The environment goes in before any session starts, as on the cloud-init path (bootcmd): when
# boot.sh changes it later, it must end the user's sessions and so stop the user's manager.
"$MNT/boot.Linux/07-etc-environment.sh" || echo "lima-init: /etc/environment not set"

if [ -s "$MNT/fstab" ]; then
	while IFS= read -r entry; do
		grep -qxF "$entry" /etc/fstab || echo "$entry" >>/etc/fstab
		point=$(printf '%s\n' "$entry" | awk '{ print $2 }')
		point=$(sh "$MNT/util/unescape_fstab.sh" "$point")
		mkdir -p "$point"
		mount "$point" || echo "lima-init: failed to mount $point"
	done <"$MNT/fstab"
fi

# The boot scripts start early (LIMA_BOOT_EARLY, see util/wait_provision_ready.sh): the unit may
# run as soon as the local file systems are up, so they wait for the basic system (D-Bus,
# logind, the resolver) here and for the network where they need it.
LIMA_BOOT_EARLY=1
export LIMA_BOOT_EARLY
if [ -d /run/systemd/system ]; then
	systemctl start basic.target || echo "lima-init: the basic system did not start"
fi

if ls "$MNT"/provision.boot/* >/dev/null 2>&1; then
	"$MNT/util/wait_provision_ready.sh"
fi
for f in "$MNT"/provision.boot/*; do
	[ -f "$f" ] || continue
	echo "lima-init: running the boot provision $f"
	(
		while IFS= read -r line || [ -n "$line" ]; do
			[ -n "$line" ] && export "$line"
		done <"$MNT/param.env"
		"$f"
	) || echo "lima-init: $f exited with status $?"
done

echo "lima-init: running boot.sh"
"$MNT/boot.sh" || echo "lima-init: boot.sh exited with status $?"
echo "lima-init: done $(cat /proc/uptime)"
