#!/bin/sh
# The default instance gets a coloured prompt, which Debian-style .bashrc files leave commented out.
set -eu
[ "${LIMA_CIDATA_NAME:-}" = default ] || exit 0
rc=$LIMA_CIDATA_HOME/.bashrc
[ -f "$rc" ] || exit 0
grep -q '^#force_color_prompt=yes' "$rc" || exit 0
sed -i 's/^#force_color_prompt=yes/force_color_prompt=yes/' "$rc"
