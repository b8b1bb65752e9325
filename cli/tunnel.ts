import { Command } from "@commander-js/extra-typings";
import { logger } from "../core/log.ts";
import { intParser } from "./edit_flags.ts";
import { writeStdout } from "../core/write_stdout.ts";

/** `limactl tunnel [--type socks] [--socks-port N] INSTANCE` (experimental, as in Lima). */
export function tunnelCommand() {
  return new Command("tunnel")
    .usage("[flags] INSTANCE")
    .summary("Create a tunnel for Lima")
    .description(`Create a tunnel for Lima

Create a SOCKS tunnel so that the host can join the guest network.`)
    .argument("<instance>")
    .option(
      "--type <string>",
      'Tunnel type, currently only "socks" is implemented',
      "socks",
    )
    .option(
      "--socks-port <int>",
      "SOCKS port, defaults to a random port",
      intParser("socks-port", -(2 ** 31), 2 ** 31 - 1),
      0,
    )
    .hook("preAction", () => logger.warn("`limactl tunnel` is experimental"))
    .action(async (name, opts) => {
      const { openTunnel } = await import("../core/ssh/tunnel.ts");
      const text = await openTunnel(name, {
        type: opts.type,
        socksPort: opts.socksPort,
      });
      writeStdout(text);
    });
}
