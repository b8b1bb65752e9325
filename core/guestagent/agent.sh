#!/bin/sh
# Reports the guest's listening sockets: TCP sockets in LISTEN state and unconnected UDP
# sockets, read from /proc/net/{tcp,tcp6,udp,udp6}. The first line lists every socket as
# added; afterwards one line per change, each
#   {"added":[{"proto":"tcp","ip":"127.0.0.1","port":8080}],"removed":[...]}
# Usage: agent.sh [INTERVAL_SECONDS]. Needs only sh, awk, od and sleep (Debian, busybox).
# It exits when its stdin reaches EOF, so closing the SSH channel stops it.
interval=${1:-0.5}
main=$$
exec 3<&0
{
	cat <&3 >/dev/null
	kill "$main" 2>/dev/null
} &
# /proc prints addresses as host-order 32-bit words: the byte order decides how to read them.
if [ "$(printf '\001\000' | od -An -tx2 | tr -d ' \n')" = "0001" ]; then
	little=1
else
	little=0
fi
# mawk reads a pipe in blocks unless told to work line by line.
awk_opts=
case $(awk -W version 2>&1 </dev/null) in
*mawk*) awk_opts="-W interactive" ;;
esac
while kill -0 "$main" 2>/dev/null; do
	echo
	sleep "$interval" || break
done | awk $awk_opts -v little="$little" '
function hexval(s,    i, n) {
	n = 0
	s = tolower(s)
	for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return n
}
# The 4 bytes of one host-order word, in network order.
function word(w,    out, i) {
	out = ""
	if (little) { for (i = 7; i >= 1; i -= 2) out = out substr(w, i, 2) }
	else out = w
	return out
}
function ipv4(bytes) {
	return hexval(substr(bytes, 1, 2)) "." hexval(substr(bytes, 3, 2)) "." \
		hexval(substr(bytes, 5, 2)) "." hexval(substr(bytes, 7, 2))
}
function ipv6(hex,    bytes, i, g, groups, best, bestlen, run, start, out) {
	bytes = ""
	for (i = 0; i < 4; i++) bytes = bytes word(substr(hex, i * 8 + 1, 8))
	if (substr(bytes, 1, 24) == "00000000000000000000ffff" || substr(bytes, 1, 24) == "00000000000000000000FFFF")
		return ipv4(substr(bytes, 25, 8))
	for (i = 0; i < 8; i++) groups[i] = hexval(substr(bytes, i * 4 + 1, 4))
	# The longest run of two or more zero groups becomes "::" (RFC 5952).
	best = -1; bestlen = 1; run = 0
	for (i = 0; i < 8; i++) {
		if (groups[i] == 0) {
			if (run == 0) start = i
			run++
			if (run > bestlen) { best = start; bestlen = run }
		} else run = 0
	}
	out = ""
	for (i = 0; i < 8; i++) {
		if (i == best) { out = out "::"; i += bestlen - 1; continue }
		if (out != "" && substr(out, length(out)) != ":") out = out ":"
		out = out sprintf("%x", groups[i])
	}
	return out
}
# Sockets are kept as raw /proc text and decoded only when they are reported.
function scan(file, proto, v6,    line, f, n) {
	while ((getline line < file) > 0) {
		n = split(line, f, " ")
		if (n < 4 || f[1] == "sl") continue
		if (proto == "tcp" && f[4] != "0A") continue
		if (proto == "udp" && (f[4] != "07" || substr(f[3], length(f[3]) - 3) != "0000")) continue
		cur[proto " " v6 " " f[2]] = 1
	}
	close(file)
}
function entry(key,    p, colon, ip) {
	split(key, p, " ")
	colon = index(p[3], ":")
	ip = p[2] ? ipv6(substr(p[3], 1, colon - 1)) : ipv4(word(substr(p[3], 1, colon - 1)))
	return "{\"proto\":\"" p[1] "\",\"ip\":\"" ip "\",\"port\":" hexval(substr(p[3], colon + 1)) "}"
}
{
	split("", cur)
	scan("/proc/net/tcp", "tcp", 0)
	scan("/proc/net/tcp6", "tcp", 1)
	scan("/proc/net/udp", "udp", 0)
	scan("/proc/net/udp6", "udp", 1)
	added = ""; removed = ""
	for (k in cur) if (!(k in prev)) added = added (added == "" ? "" : ",") entry(k)
	for (k in prev) if (!(k in cur)) removed = removed (removed == "" ? "" : ",") entry(k)
	if (NR == 1 || added != "" || removed != "") {
		print "{\"added\":[" added "],\"removed\":[" removed "]}"
		fflush()
	}
	split("", prev)
	for (k in cur) prev[k] = 1
}'
