#!/bin/sh
# compare_version.sh A OP B: compares dotted numeric versions; OP is lt, le, eq, ne, ge or gt.
# Exits 0 when the comparison holds, 1 when it does not, 2 on bad usage.
set -eu
if [ $# -ne 3 ]; then
	echo "usage: compare_version.sh VERSION lt|le|eq|ne|ge|gt VERSION" >&2
	exit 2
fi
cmp=$(awk -v a="$1" -v b="$3" 'BEGIN {
	na = split(a, x, "."); nb = split(b, y, ".")
	n = na > nb ? na : nb
	for (i = 1; i <= n; i++) {
		p = (i <= na) ? x[i] + 0 : 0; q = (i <= nb) ? y[i] + 0 : 0
		if (p < q) { print -1; exit }
		if (p > q) { print 1; exit }
	}
	print 0
}')
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
