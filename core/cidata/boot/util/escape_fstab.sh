#!/bin/sh
# escape_fstab.sh PATH: prints PATH the way fstab fields spell it (backslash, blanks and
# newlines as octal escapes).
set -eu
printf '%s' "$1" | awk 'BEGIN { RS = "\001" } {
	gsub(/\\/, "\\134"); gsub(/ /, "\\040"); gsub(/\t/, "\\011"); gsub(/\n/, "\\012")
	printf "%s\n", $0
}'
