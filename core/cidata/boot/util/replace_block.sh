#!/bin/sh
# Sourced, not run: defines replace_block, which edits a text file with shell builtins only
# (a process start costs tens of milliseconds on an emulated CPU).
#
# replace_block FILE BEGIN END TEXT: FILE without its lines from a line BEGIN to a line END
# (markers included), followed by TEXT. FILE is rewritten in place (it may be a bind mount or
# a link) only when that changes it; then CHANGED=true, else CHANGED=false.
replace_block() {
	_old= _new= _skip=false
	if [ -f "$1" ]; then
		while IFS= read -r _line || [ -n "$_line" ]; do
			_old="$_old$_line
"
			if [ "$_line" = "$2" ]; then
				_skip=true
			elif [ "$_line" = "$3" ]; then
				_skip=false
			elif [ "$_skip" = false ]; then
				_new="$_new$_line
"
			fi
		done <"$1"
	fi
	_new=$_new$4
	CHANGED=false
	if ! [ -f "$1" ] || [ "$_new" != "$_old" ]; then
		printf '%s' "$_new" >"$1"
		CHANGED=true
	fi
}
