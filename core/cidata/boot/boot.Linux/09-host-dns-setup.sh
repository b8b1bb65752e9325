#!/bin/sh
# The guest resolves through the user-mode network's DNS address; redirect those queries to the
# host agent's DNS server, which answers with the host's own resolver.
set -eu
udp=${LIMA_CIDATA_UDP_DNS_LOCAL_PORT:-0}
tcp=${LIMA_CIDATA_TCP_DNS_LOCAL_PORT:-0}
[ "$udp" -ne 0 ] || [ "$tcp" -ne 0 ] || exit 0
if ! command -v iptables >/dev/null 2>&1 || ! command -v iptables-restore >/dev/null 2>&1; then
	echo "iptables is not installed yet; the DNS redirection is set up after the package installation"
	exit 0
fi
dns=$LIMA_CIDATA_SLIRP_DNS
gateway=$LIMA_CIDATA_SLIRP_GATEWAY
# One iptables-restore for all rules, as each iptables run costs tens of milliseconds on an
# emulated CPU. Declaring the chain empties it when it exists (--noflush leaves the rest), so
# a second run replaces its rules; the jumps to it are added once.
current=$(iptables -t nat -S 2>/dev/null || true)
rules=":LIMADNS - [0:0]"
for chain in PREROUTING OUTPUT; do
	case $current in
	*"-A $chain -j LIMADNS"*) ;;
	*) rules="$rules
-I $chain 1 -j LIMADNS" ;;
	esac
done
if [ "$udp" -ne 0 ]; then
	rules="$rules
-A LIMADNS -d $dns -p udp --dport 53 -j DNAT --to-destination $gateway:$udp"
fi
if [ "$tcp" -ne 0 ]; then
	rules="$rules
-A LIMADNS -d $dns -p tcp --dport 53 -j DNAT --to-destination $gateway:$tcp"
fi
iptables-restore --noflush <<RULES
*nat
$rules
COMMIT
RULES
