#!/bin/sh
# usage: provision_run.sh NAME COMMAND [ARG...]
# Runs a provision script with its output passed through, and when it fails records NAME, the
# exit status and the output's last lines in $RUN/lima-provision-errors, which the host agent
# reports so that `limactl start` fails with them.
set -u
name=$1
shift
RUN=/run
[ -d "$RUN" ] || RUN=/var/run
out=$(mktemp)
{
	"$@" 2>&1
	echo $? >"$out.rc"
} | tee "$out"
code=$(cat "$out.rc" 2>/dev/null || echo 1)
if [ "$code" -ne 0 ]; then
	{
		echo "provision script $name failed with exit status $code; its last output lines:"
		tail -n 20 "$out" | sed 's/^/  /'
	} >>"$RUN/lima-provision-errors"
fi
rm -f "$out" "$out.rc"
exit "$code"
