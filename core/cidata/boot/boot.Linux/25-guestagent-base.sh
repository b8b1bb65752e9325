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

if [ -z "${LIMA_CIDATA_VIRTIO_PORT:-}" ]; then
	echo "The driver offers no virtio port; the host agent runs the guest agent over SSH"
	exit 0
fi
if command -v systemd-run >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	# A transient unit: no unit file, so no daemon-reload, which costs seconds at boot.
	if systemctl -q is-active lima-guestagent.service; then
		[ "$changed" = false ] || systemctl restart lima-guestagent.service
	else
		systemctl reset-failed lima-guestagent.service 2>/dev/null || true
		systemd-run --quiet --unit=lima-guestagent --description=lima-guestagent \
			--property=Restart=on-failure --property=OOMScoreAdjust=-500 \
			"$bin" daemon --virtio-port "$LIMA_CIDATA_VIRTIO_PORT"
	fi
elif [ -d /etc/init.d ] && command -v rc-service >/dev/null 2>&1; then
	args="daemon --virtio-port $LIMA_CIDATA_VIRTIO_PORT"
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
