#!/bin/sh
# Load the modules that containers, fuse and the DNS redirection need, so that later
# scripts and the user's tools do not depend on autoloading.
set -eu
command -v modprobe >/dev/null 2>&1 || exit 0
for module in fuse tun tap bridge veth ip_tables ip6_tables iptable_nat ip6table_nat \
	iptable_filter ip6table_filter nf_tables x_tables xt_MASQUERADE xt_addrtype xt_comment \
	xt_conntrack xt_mark xt_multiport xt_nat xt_tcpudp overlay; do
	modprobe "$module" >/dev/null 2>&1 || true
done
