import { Command } from "@commander-js/extra-typings";
import { withExamples } from "./help.ts";

const write = (text: string) =>
  Deno.stdout.write(new TextEncoder().encode(text));

const CREATE_EXAMPLE = `  Create a network:
  $ limactl network create foo --gateway 192.168.42.1/24

  Connect VM instances to the newly created network:
  $ limactl create --network lima:foo --name vm1
  $ limactl create --network lima:foo --name vm2`;

/** `limactl network list|create|delete`: the networks of `_config/networks.yaml`. */
export function networkCommand() {
  const network = withExamples(
    new Command("network").summary("Lima network management"),
    `  List all networks:
  $ limactl network list

${CREATE_EXAMPLE}

  Delete a network:
  $ limactl network delete --force foo`,
  );
  withExamples(
    network.command("list"),
    `  List all networks:
  $ limactl network list

  List networks in JSON format:
  $ limactl network list --json`,
  )
    .alias("ls")
    .summary("List networks")
    .argument("[network...]")
    .option("--json", "JSONify output")
    .action(async (names, options) => {
      const { listNetworks } = await import("../core/network/list.ts");
      await write(await listNetworks(names, { json: options.json }));
    });
  withExamples(network.command("create"), CREATE_EXAMPLE)
    .summary("Create a Lima network")
    .usage("NETWORK")
    .argument("<network>")
    .option("--mode <string>", "mode", "user-v2")
    .option("--gateway <string>", 'gateway, e.g., "192.168.42.1/24"')
    .option("--interface <string>", "interface for bridged mode")
    .action(async (name, options) => {
      const { createNetwork } = await import(
        "../core/network/create_network.ts"
      );
      await createNetwork(name, options);
    });
  withExamples(
    network.command("delete"),
    `  Delete a network:
  $ limactl network delete --force foo

  Delete multiple networks:
  $ limactl network delete --force foo bar`,
  )
    .aliases(["remove", "rm"])
    .summary("Delete one or more Lima networks")
    .usage("NETWORK [NETWORK, ...]")
    .argument("<network...>")
    .option("-f, --force", "Force delete (currently always required)")
    .action(async (names, options) => {
      const { deleteNetworks } = await import(
        "../core/network/delete_networks.ts"
      );
      await deleteNetworks(names, { force: options.force });
    });
  return network;
}
