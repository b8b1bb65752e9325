#!/bin/sh
# Installs the guest agent from the seed, when the host put one there, and (re)starts its
# service. Early in the boot: the agent's start-up overlaps the other boot scripts, and the
# host waits for the agent before the instance is ready.
# The agent is agent.py, which needs python3: a service on the driver's virtio port when there
# is one (it also serves the port forwarding tunnel when the driver offers that port), else run
# by the host agent over SSH. Guests without python3 get the fallback, agent.sh
# (sh + awk), which the host agent runs over SSH only (core/guestagent/agent.ts).
set -eu
agent=$LIMA_CIDATA_MNT/lima-guestagent
if ! [ -f "$agent" ]; then
	echo "The seed has no guest agent; port forwarding and time sync need one"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "No python3 in the guest; the host agent runs the sh fallback agent over SSH"
	exit 0
fi
prefix=${LIMA_CIDATA_GUEST_INSTALL_PREFIX:-/usr/local}
bin=$prefix/bin/lima-guestagent
changed=false
if ! [ -f "$bin" ] || ! cmp -s "$agent" "$bin"; then
	mkdir -p "$prefix/bin"
	install -m 0755 "$agent" "$bin.new"
	mv -f "$bin.new" "$bin"
	changed=true
fi

if [ -z "${LIMA_CIDATA_VIRTIO_PORT:-}" ]; then
	echo "The driver offers no virtio port; the host agent runs the python3 agent over SSH"
	exit 0
fi
if command -v systemd-run >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	# A transient unit: no unit file, so no daemon-reload, which costs seconds at boot.
	state=$(systemctl is-active lima-guestagent.service 2>/dev/null || true)
	if [ "$state" = active ]; then
		[ "$changed" = false ] || systemctl restart lima-guestagent.service
	else
		# A unit that failed keeps its name until reset; a first start has nothing to reset.
		[ "$state" != failed ] || systemctl reset-failed lima-guestagent.service 2>/dev/null || true
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
