#!/bin/sh
# Gives the user their own home, and a systemd manager that runs without a login session
# (linger) with a delegated cgroup subtree for rootless containers and user services. Early in
# the boot: a login waits until the user's manager has started, which takes seconds of an
# emulated CPU, so linger starts it while sshd starts and the host's first login finds it running.
set -eu
command -v systemctl >/dev/null 2>&1 || exit 0
[ -d /run/systemd/system ] || exit 0
user=$LIMA_CIDATA_USER
uid=$LIMA_CIDATA_UID
home=$LIMA_CIDATA_HOME

# cloud-init creates the home as root when its parent directory did not exist.
if [ -d "$home" ] && [ "$(stat -c %u "$home")" != "$uid" ]; then
	chown "$user" "$home"
fi

# The drop-in affects user managers loaded after it is written; cloud-init writes it before
# the first login. A manager already running keeps its settings until a reload, which takes
# seconds and blocks systemd meanwhile. Linger must come after the reload, so that the manager
# it starts is delegated; both go on in the background, as nothing later in the boot needs them.
reload=false
dropin=/etc/systemd/system/user@.service.d/lima.conf
if ! [ -f "$dropin" ]; then
	mkdir -p "${dropin%/*}"
	printf '[Service]\nDelegate=yes\n' >"$dropin"
	[ ! -d "/run/user/$uid" ] || reload=true
fi
linger=false
if command -v loginctl >/dev/null 2>&1 && ! [ -e "/var/lib/systemd/linger/$user" ]; then
	linger=true
fi
finish() {
	[ "$reload" = false ] || systemctl daemon-reload || true
	[ "$linger" = false ] || loginctl enable-linger "$user" || true
}
# Detached from the boot's output, which cloud-init reads until every writer has closed it.
if [ "$reload" = true ] || [ "$linger" = true ]; then
	finish </dev/null >/dev/null 2>&1 &
fi
