#!/bin/sh
# Let `limactl shell` pass COLORTERM so programs in the guest use the host terminal's colours.
set -eu
conf=/etc/ssh/sshd_config
[ -f "$conf" ] || exit 0
grep -q '^AcceptEnv.*COLORTERM' "$conf" && exit 0
if [ -d /etc/ssh/sshd_config.d ] && grep -q '^Include /etc/ssh/sshd_config.d/' "$conf"; then
	printf 'AcceptEnv COLORTERM\n' >/etc/ssh/sshd_config.d/99-lima-colorterm.conf
else
	printf '\nAcceptEnv COLORTERM\n' >>"$conf"
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl reload ssh >/dev/null 2>&1 || systemctl reload sshd >/dev/null 2>&1 || true
fi
