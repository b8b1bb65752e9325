#!/bin/sh
# compare_version.sh A OP B: compares dotted numeric versions; OP is lt, le, eq, ne, ge or gt.
# Exits 0 when the comparison holds, 1 when it does not, 2 on bad usage. Shell arithmetic
# only: a process start costs tens of milliseconds on an emulated CPU.
set -eu
if [ $# -ne 3 ]; then
	echo "usage: compare_version.sh VERSION lt|le|eq|ne|ge|gt VERSION" >&2
	exit 2
fi
a=$1 b=$3 cmp=0
while [ "$cmp" -eq 0 ] && [ -n "$a$b" ]; do
	# Each part counts by its leading digits, as a number; a missing part is 0.
	p=${a%%.*} q=${b%%.*}
	p=${p%%[!0-9]*} q=${q%%[!0-9]*}
	case $a in *.*) a=${a#*.} ;; *) a= ;; esac
	case $b in *.*) b=${b#*.} ;; *) b= ;; esac
	if [ "${p:-0}" -lt "${q:-0}" ]; then
		cmp=-1
	elif [ "${p:-0}" -gt "${q:-0}" ]; then
		cmp=1
	fi
done
case $2 in
lt) [ "$cmp" -lt 0 ] ;;
le) [ "$cmp" -le 0 ] ;;
eq) [ "$cmp" -eq 0 ] ;;
ne) [ "$cmp" -ne 0 ] ;;
ge) [ "$cmp" -ge 0 ] ;;
gt) [ "$cmp" -gt 0 ] ;;
*)
	echo "compare_version.sh: unknown operator: $2" >&2
	exit 2
	;;
esac
