import { Command } from "@commander-js/extra-typings";

/** `limactl usernet` (hidden): the daemon of a user-v2 network, started by `limactl start`. */
export function usernetCommand() {
  return new Command("usernet")
    .summary("Run usernet")
    .option("-p, --pidfile <file>", "Write PID to file")
    .option(
      "-e, --endpoint <socket>",
      "Exposes usernet API(s) on this endpoint",
    )
    .option("--listen-qemu <socket>", "Listen for QEMU connections")
    .option(
      "--listen <socket>",
      "Listen on a Unix socket and receive Bess-compatible FDs as SCM_RIGHTS messages (not used on this host)",
    )
    .option(
      "--subnet <cidr>",
      "Sets subnet value for the usernet network",
      "192.168.5.0/24",
    )
    .option("--mtu <n>", "mtu", "1500")
    .option(
      "--leases <ip=mac>",
      "Pass default static leases for startup. Eg: '192.168.104.1=52:55:55:b3:bc:d9,192.168.104.2=5a:94:ef:e4:0c:df'",
    )
    .action(async (opts) => {
      const { usernetOptions } = await import(
        "../core/network/usernet/flags.ts"
      );
      const { runUsernetDaemon } = await import(
        "../core/network/usernet/daemon.ts"
      );
      await runUsernetDaemon(usernetOptions(opts));
    });
}
