#!/bin/sh
# usage: provision_run.sh NAME COMMAND [ARG...]
# Runs a provision (NAME like "provision[2] (mode: system)") with its output passed through,
# and when it fails records NAME, the exit status and the output's last lines in
# $RUN/lima-provision-errors, which the host agent reports so that `limactl start` fails.
set -u
name=$1
shift
RUN=/run
[ -d "$RUN" ] || RUN=/var/run
out=$(mktemp)
rm -f "$out.fifo"
mkfifo "$out.fifo"
tee "$out" <"$out.fifo" &
tee_pid=$!
"$@" >"$out.fifo" 2>&1
code=$?
# A process the script left running in the background may hold the pipe open: tee then goes on
# logging it, and the boot does not wait for it.
i=0
while kill -0 "$tee_pid" 2>/dev/null && [ "$i" -lt 10 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$code" -ne 0 ]; then
	# One unindented line per failure, then its output indented (requirements.ts reads this).
	{
		if [ -s "$out" ]; then
			echo "$name failed with exit status $code; its last output lines:"
			tail -n 20 "$out" | sed 's/^/  /'
		else
			echo "$name failed with exit status $code and printed nothing"
		fi
	} >>"$RUN/lima-provision-errors"
fi
rm -f "$out" "$out.fifo"
exit "$code"
