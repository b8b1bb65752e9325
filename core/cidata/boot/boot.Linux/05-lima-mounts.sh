#!/bin/sh
# cloud-init writes the 9p/virtiofs fstab entries with mount points as they are, so a mount
# point containing blanks breaks the line. Rewrite Lima's entries with escaped mount points and
# mount whatever is not mounted yet.
set -eu
case ${LIMA_CIDATA_MOUNTTYPE:-} in
9p | virtiofs) ;;
*) exit 0 ;;
esac
[ "${LIMA_CIDATA_MOUNTS:-0}" -gt 0 ] || exit 0
[ -f /etc/fstab ] || exit 0
tab=$(printf '\t')
tmp=$(mktemp)
changed=false
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	lima-*"$tab"*)
		tag=${line%%"$tab"*}
		rest=${line#*"$tab"}
		# The last four fields (type, options, dump, pass) contain no blanks.
		tail=$(printf '%s\n' "$rest" | awk -F '\t' 'NF >= 5 { print $(NF-3) "\t" $(NF-2) "\t" $(NF-1) "\t" $NF }')
		if [ -n "$tail" ]; then
			mountpoint=${rest%"$tab$tail"}
			escaped=$(escape_fstab.sh "$(unescape_fstab.sh "$mountpoint")")
			fixed="$tag$tab$escaped$tab$tail"
			if [ "$fixed" != "$line" ]; then
				changed=true
				line=$fixed
			fi
			mkdir -p "$(unescape_fstab.sh "$escaped")"
		fi
		;;
	esac
	printf '%s\n' "$line" >>"$tmp"
done </etc/fstab
if [ "$changed" = true ]; then
	cat "$tmp" >/etc/fstab
	command -v systemctl >/dev/null 2>&1 && systemctl daemon-reload || true
fi
rm -f "$tmp"
mount -a -t "$LIMA_CIDATA_MOUNTTYPE" || echo "Some $LIMA_CIDATA_MOUNTTYPE mounts failed" >&2
