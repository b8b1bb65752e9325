#!/bin/sh
# containerd and nerdctl from the nerdctl-full archive in the seed: unpacked into the install
# prefix when the archive changed, then started as a system service and/or for the user.
set -eu
[ "${LIMA_CIDATA_CONTAINERD_SYSTEM:-}" = 1 ] || [ "${LIMA_CIDATA_CONTAINERD_USER:-}" = 1 ] || exit 0
archive=$LIMA_CIDATA_MNT/${LIMA_CIDATA_CONTAINERD_ARCHIVE:-nerdctl-full.tgz}
if ! [ -f "$archive" ]; then
	echo "containerd is enabled but the seed has no nerdctl-full archive" >&2
	exit 1
fi
if ! command -v systemctl >/dev/null 2>&1 || ! [ -d /run/systemd/system ]; then
	echo "containerd needs systemd in the guest" >&2
	exit 1
fi
prefix=${LIMA_CIDATA_GUEST_INSTALL_PREFIX:-/usr/local}
stamp=$prefix/share/lima/nerdctl-full.sha256
sum=$(sha256sum "$archive" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$sum" ]; then
	echo "Installing containerd and nerdctl into $prefix"
	mkdir -p "$prefix" "${stamp%/*}"
	tar -C "$prefix" -xzf "$archive"
	printf '%s\n' "$sum" >"$stamp"
fi

if [ "${LIMA_CIDATA_CONTAINERD_SYSTEM:-}" = 1 ]; then
	mkdir -p /etc/buildkit
	if ! [ -f /etc/buildkit/buildkitd.toml ]; then
		printf '[worker.oci]\n  enabled = false\n\n[worker.containerd]\n  enabled = true\n  namespace = "default"\n' \
			>/etc/buildkit/buildkitd.toml
	fi
	systemctl daemon-reload
	services="containerd buildkit"
	[ -e "$prefix/lib/systemd/system/stargz-snapshotter.service" ] && services="$services stargz-snapshotter"
	for service in $services; do
		unit=$prefix/lib/systemd/system/$service.service
		[ -e "/etc/systemd/system/$service.service" ] || [ ! -e "$unit" ] || cp "$unit" /etc/systemd/system/
	done
	systemctl daemon-reload
	# shellcheck disable=SC2086
	systemctl enable --now $services
fi

if [ "${LIMA_CIDATA_CONTAINERD_USER:-}" = 1 ]; then
	uid=$LIMA_CIDATA_UID
	i=0
	until [ -e "/run/user/$uid/systemd/private" ] || [ "$i" -ge 60 ]; do
		i=$((i + 1))
		sleep 1
	done
	as_user() {
		sudo -iu "$LIMA_CIDATA_USER" "XDG_RUNTIME_DIR=/run/user/$uid" "PATH=$prefix/bin:/usr/sbin:/sbin:/usr/bin:/bin" "$@"
	}
	if ! as_user systemctl --user is-enabled --quiet containerd.service 2>/dev/null; then
		as_user containerd-rootless-setuptool.sh install
		as_user containerd-rootless-setuptool.sh install-buildkit-containerd
		if compare_version.sh "$(uname -r | cut -d- -f1)" lt 5.13; then
			as_user containerd-rootless-setuptool.sh install-fuse-overlayfs || true
		elif [ -x "$prefix/bin/containerd-stargz-grpc" ]; then
			as_user containerd-rootless-setuptool.sh install-stargz || true
		fi
	fi
fi
