#!/bin/sh
# Load the modules that containers, fuse and the DNS redirection need, so that later
# scripts and the user's tools do not depend on autoloading.
set -eu
command -v modprobe >/dev/null 2>&1 || exit 0
missing=
for module in fuse tun tap bridge veth ip_tables ip6_tables iptable_nat ip6table_nat \
	iptable_filter ip6table_filter nf_tables x_tables xt_MASQUERADE xt_addrtype xt_comment \
	xt_conntrack xt_mark xt_multiport xt_nat xt_tcpudp overlay; do
	[ -d "/sys/module/$module" ] || missing="$missing $module"
done
[ -n "$missing" ] || exit 0
# One modprobe for all of them: every process start costs a lot on an emulated CPU. When
# some module is unknown, load the others one by one so that none is skipped. Loading them
# takes a second or more there; nothing later in the boot waits for it (the kernel loads what
# iptables and fuse need on first use), so it goes on in the background, detached from the
# boot's output, which cloud-init reads until every writer has closed it. At the lowest
# priority, so that the boot scripts get the CPU first.
load() {
	# shellcheck disable=SC2086 # the module list is space-separated on purpose
	if ! nice -n 19 modprobe -a $missing >/dev/null 2>&1; then
		for module in $missing; do
			modprobe "$module" >/dev/null 2>&1 || true
		done
	fi
}
load </dev/null >/dev/null 2>&1 &
