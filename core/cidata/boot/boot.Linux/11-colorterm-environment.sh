#!/bin/sh
# Let `limactl shell` pass COLORTERM so programs in the guest use the host terminal's colours.
set -eu
conf=/etc/ssh/sshd_config
dropin=/etc/ssh/sshd_config.d/99-lima-colorterm.conf
[ -f "$conf" ] || exit 0
# Whether the main file accepts COLORTERM itself or includes the drop-in directory: one grep.
found=$(grep -oE '^(AcceptEnv.*COLORTERM|Include /etc/ssh/sshd_config\.d/)' "$conf" || true)
case $found in *AcceptEnv*) exit 0 ;; esac
if [ -n "$found" ] && [ -d "${dropin%/*}" ]; then
	# Done already, on an earlier boot or by cloud-init before sshd started: no reload.
	[ ! -f "$dropin" ] || exit 0
	printf 'AcceptEnv COLORTERM\n' >"$dropin"
else
	printf '\nAcceptEnv COLORTERM\n' >>"$conf"
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	# Queue the reload without waiting for it: nothing later in the boot depends on it.
	systemctl reload --no-block ssh >/dev/null 2>&1 || systemctl reload --no-block sshd >/dev/null 2>&1 || true
fi
