#!/bin/sh
# Mount points for reverse-sshfs belong to the user (sshfs runs as the user). Then install the
# guest agent from the seed, when the host put one there, and (re)start its service.
set -eu
if [ "${LIMA_CIDATA_MOUNTTYPE:-}" = reverse-sshfs ]; then
	i=0
	while [ "$i" -lt "${LIMA_CIDATA_MOUNTS:-0}" ]; do
		eval "mountpoint=\${LIMA_CIDATA_MOUNTS_${i}_MOUNTPOINT}"
		i=$((i + 1))
		mkdir -p "$mountpoint"
		chown "$LIMA_CIDATA_USER" "$mountpoint"
	done
fi

agent=$LIMA_CIDATA_MNT/lima-guestagent
if ! [ -f "$agent" ]; then
	echo "The seed has no guest agent; port forwarding and time sync need one"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "No python3 in the guest; the host agent runs the guest agent over SSH"
	exit 0
fi
prefix=${LIMA_CIDATA_GUEST_INSTALL_PREFIX:-/usr/local}
bin=$prefix/bin/lima-guestagent
changed=false
if ! cmp -s "$agent" "$bin"; then
	mkdir -p "$prefix/bin"
	install -m 0755 "$agent" "$bin.new"
	mv -f "$bin.new" "$bin"
	changed=true
fi

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	set -- install-systemd
	if [ "${LIMA_CIDATA_VSOCK_PORT:-0}" != 0 ]; then
		set -- "$@" --vsock-port "$LIMA_CIDATA_VSOCK_PORT"
	elif [ -n "${LIMA_CIDATA_VIRTIO_PORT:-}" ]; then
		set -- "$@" --virtio-port "$LIMA_CIDATA_VIRTIO_PORT"
	fi
	set -- "$@" --socket-owner "$LIMA_CIDATA_UID"
	"$bin" "$@"
	[ "$changed" = false ] || systemctl restart lima-guestagent.service || true
elif [ -d /etc/init.d ] && command -v rc-service >/dev/null 2>&1; then
	args="daemon --socket-owner $LIMA_CIDATA_UID"
	[ "${LIMA_CIDATA_DEBUG:-}" != 1 ] || args="$args --debug"
	[ "${LIMA_CIDATA_VSOCK_PORT:-0}" = 0 ] || args="$args --vsock-port $LIMA_CIDATA_VSOCK_PORT"
	[ -z "${LIMA_CIDATA_VIRTIO_PORT:-}" ] || args="$args --virtio-port $LIMA_CIDATA_VIRTIO_PORT"
	cat >/etc/init.d/lima-guestagent <<SERVICE
#!/sbin/openrc-run
supervisor=supervise-daemon
name="lima-guestagent"
description="Forward ports to the lima-hostagent"
command="$bin"
command_args="$args"
command_background=true
pidfile="/run/lima-guestagent.pid"
SERVICE
	chmod 0755 /etc/init.d/lima-guestagent
	rc-update add lima-guestagent default
	rc-service --ifstarted lima-guestagent restart || rc-service lima-guestagent start
else
	echo "Neither systemd nor OpenRC found; the guest agent is installed but not started" >&2
	exit 1
fi
