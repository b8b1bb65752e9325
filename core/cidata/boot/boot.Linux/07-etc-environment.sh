#!/bin/sh
# Put the instance's environment (env: and proxy variables) into /etc/environment between the
# #LIMA-START and #LIMA-END markers. Sessions started before the change do not see it, so the
# user's sessions are ended; then tell the host that SSH sessions get the new environment.
set -eu
. "$LIMA_CIDATA_MNT/util/replace_block.sh"
text=
if [ -f "$LIMA_CIDATA_MNT/etc_environment" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		text="$text$line
"
	done <"$LIMA_CIDATA_MNT/etc_environment"
fi
replace_block /etc/environment "#LIMA-START" "#LIMA-END" "$text"
if [ "$CHANGED" = true ]; then
	chmod 0644 /etc/environment
	# Without a runtime directory the user has no session to end (before sshd starts).
	if command -v loginctl >/dev/null 2>&1 && [ -d "/run/user/${LIMA_CIDATA_UID:-}" ]; then
		loginctl terminate-user "$LIMA_CIDATA_USER" >/dev/null 2>&1 || true
	fi
fi
printf '%s\n' "$LIMA_CIDATA_IID" >/run/lima-ssh-ready
