import { Command } from "@commander-js/extra-typings";

const UNSTABLE = "DO NOT USE! THE COMMAND SYNTAX IS SUBJECT TO CHANGE!";

/** `limactl debug` (hidden): debugging utilities, as in Lima. */
export function debugCommand() {
  return new Command("debug")
    .summary("Debug utilities")
    .description(UNSTABLE)
    .addCommand(debugDNSCommand());
}

function debugDNSCommand() {
  return new Command("dns")
    .usage("UDPPORT [TCPPORT]")
    .summary("Debug built-in DNS")
    .description(UNSTABLE)
    .argument("<udpport>")
    .argument("[tcpport]")
    .option("-6, --ipv6", "Lookup IPv6 addresses too")
    .action(async (udp, tcp, opts) => {
      const { startDebugDNS } = await import("../core/network/debug_dns.ts");
      await startDebugDNS(tcp === undefined ? [udp] : [udp, tcp], {
        ipv6: opts.ipv6,
      });
      // Serves until the process is killed.
      await new Promise<never>(() => {});
    });
}
