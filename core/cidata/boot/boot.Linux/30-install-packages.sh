#!/bin/sh
# dependency provisions first (they may install what the guest lacks), then, unless one of them
# asked to skip it, the packages the instance needs and the image may lack: sshfs for
# reverse-sshfs mounts, iptables for the DNS redirection and containerd, and the rootless
# prerequisites. Nothing is installed when it is already there.
set -eu
code=0
if ls "$LIMA_CIDATA_MNT"/provision.dependency/* >/dev/null 2>&1; then
	wait_provision_ready.sh
fi
for f in "$LIMA_CIDATA_MNT"/provision.dependency/*; do
	[ -f "$f" ] || continue
	echo "Executing $f"
	if ! provision_run.sh "provision[$((1${f##*/} - 100000000))] (mode: dependency)" "$f"; then
		echo "WARNING: Failed to execute $f" >&2
		code=1
	fi
done
if [ "${LIMA_CIDATA_SKIP_DEFAULT_DEPENDENCY_RESOLUTION:-}" = 1 ]; then
	echo "Skipping the default dependency resolution"
	exit "$code"
fi

if command -v apt-get >/dev/null 2>&1; then
	pm=apt
elif command -v dnf >/dev/null 2>&1; then
	pm=dnf
elif command -v yum >/dev/null 2>&1; then
	pm=yum
elif command -v zypper >/dev/null 2>&1; then
	pm=zypper
elif command -v pacman >/dev/null 2>&1; then
	pm=pacman
elif command -v apk >/dev/null 2>&1; then
	pm=apk
elif command -v emerge >/dev/null 2>&1; then
	pm=emerge
else
	pm=none
fi

# The package that provides a command, by package manager.
package_for() {
	case $1:$pm in
	sshfs:dnf | sshfs:yum | sshfs:zypper) echo fuse-sshfs ;;
	sshfs:emerge) echo net-fs/sshfs ;;
	sshfs:*) echo sshfs ;;
	iptables:emerge) echo net-firewall/iptables ;;
	iptables:*) echo iptables ;;
	newuidmap:apt | newuidmap:pacman) echo uidmap ;;
	newuidmap:apk) echo shadow-uidmap ;;
	newuidmap:emerge) echo sys-apps/shadow ;;
	newuidmap:*) echo shadow-utils ;;
	fusermount3:emerge) echo sys-fs/fuse ;;
	fusermount3:*) echo fuse3 ;;
	dbus-user-session:apt) echo dbus-user-session ;;
	esac
}

pkgs=""
want() {
	command -v "$1" >/dev/null 2>&1 && return 0
	p=$(package_for "$1")
	[ -z "$p" ] || pkgs="$pkgs $p"
}
if [ "${LIMA_CIDATA_MOUNTTYPE:-}" = reverse-sshfs ] && [ "${LIMA_CIDATA_MOUNTS:-0}" -gt 0 ]; then
	want sshfs
fi
if [ "${LIMA_CIDATA_UDP_DNS_LOCAL_PORT:-0}" -ne 0 ] || [ "${LIMA_CIDATA_TCP_DNS_LOCAL_PORT:-0}" -ne 0 ] ||
	[ "${LIMA_CIDATA_CONTAINERD_SYSTEM:-}" = 1 ] || [ "${LIMA_CIDATA_CONTAINERD_USER:-}" = 1 ]; then
	want iptables
fi
if [ "${LIMA_CIDATA_CONTAINERD_USER:-}" = 1 ]; then
	want newuidmap
	want fusermount3
	if [ "$pm" = apt ] && ! [ -e /usr/lib/systemd/user/dbus.socket ] && ! [ -e /lib/systemd/user/dbus.socket ]; then
		pkgs="$pkgs dbus-user-session"
	fi
fi
[ -n "$pkgs" ] || exit "$code"

wait_provision_ready.sh
echo "Installing packages:$pkgs"
# The package list is space-separated on purpose.
# shellcheck disable=SC2086
case $pm in
apt)
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q && apt-get install -y -q --no-install-recommends $pkgs || code=1
	;;
dnf | yum)
	if echo "$pkgs" | grep -q fuse-sshfs && ! "$pm" -q list fuse-sshfs >/dev/null 2>&1; then
		# Enterprise Linux ships sshfs in EPEL only.
		"$pm" install -y epel-release || "$pm" install -y oracle-epel-release-el"$(rpm -E %rhel)" || true
	fi
	"$pm" install -y $pkgs || code=1
	;;
zypper) zypper --non-interactive install -y $pkgs || code=1 ;;
pacman) pacman -Sy --noconfirm --needed $pkgs || code=1 ;;
apk) apk add $pkgs || code=1 ;;
emerge) emerge --noreplace $pkgs || code=1 ;;
none)
	echo "WARNING: No known package manager; cannot install$pkgs" >&2
	code=1
	;;
esac
exit "$code"
