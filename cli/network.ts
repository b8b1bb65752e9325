import { Command } from "@commander-js/extra-typings";

/** `limactl network list`: the networks of `_config/networks.yaml`. */
export function networkCommand() {
  const network = new Command("network")
    .summary("Lima network management")
    .description("Lima network management (networks defined in networks.yaml)");
  network.command("list")
    .alias("ls")
    .summary("List networks")
    .argument("[network...]")
    .option("--json", "JSONify output")
    .action(async (names, options) => {
      const { listNetworks } = await import("../core/network/list.ts");
      await Deno.stdout.write(
        new TextEncoder().encode(
          await listNetworks(names, { json: options.json }),
        ),
      );
    });
  return network;
}
