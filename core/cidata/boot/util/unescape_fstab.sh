#!/bin/sh
# unescape_fstab.sh FIELD: the inverse of escape_fstab.sh; other text is left as it is.
set -eu
printf '%s' "$1" | awk 'BEGIN { RS = "\001" } {
	out = ""
	while (match($0, /\\[0-7][0-7][0-7]/)) {
		code = substr($0, RSTART + 1, 3)
		out = out substr($0, 1, RSTART - 1) sprintf("%c", (substr(code, 1, 1) * 64) + (substr(code, 2, 1) * 8) + substr(code, 3, 1))
		$0 = substr($0, RSTART + 4)
	}
	printf "%s%s\n", out, $0
}'
