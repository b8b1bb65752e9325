/**
 * `limactl network delete --force NETWORK...` (Lima's `cmd/limactl/network.go`): removes
 * networks from networks.yaml. Like Lima it does not look for instances that still use them,
 * which is why `--force` is required.
 */
import { LimaError } from "../errors.ts";
import { editNetworksYAML } from "./edit_networks_yaml.ts";

/** Removes NAMES from networks.yaml (names it does not define are ignored). */
export async function deleteNetworks(
  names: string[],
  options: { force?: boolean; home?: string } = {},
): Promise<void> {
  if (!options.force) {
    throw new LimaError({
      summary: "`limactl network delete` currently always requires `--force`",
    });
  }
  const expression = names.map((name) =>
    `del(.networks.${JSON.stringify(name)})`
  ).join(" | ");
  await editNetworksYAML(expression, options.home);
}
