/**
 * Changing `_config/networks.yaml` with a yq expression, as Lima's `limactl network create` and
 * `delete` do (`networkApplyYQ` in its `cmd/limactl/network.go`): the rest of the file, comments
 * included, stays as it was. The result must still load, and replaces the file atomically.
 */
import { readRegularText } from "../config/read_file.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { limaHome } from "../store/paths.ts";
import { applyYq } from "../yq/mod.ts";
import { loadNetworks, networksFile, parseNetworks } from "./networks_yaml.ts";

/** Applies EXPRESSION to networks.yaml in HOME (created from the default first). */
export async function editNetworksYAML(
  expression: string,
  home: string = limaHome(),
): Promise<void> {
  await loadNetworks(home);
  const file = networksFile(home);
  const text = await readRegularText(file);
  const edited = applyYq(text, expression, file);
  // A change the loader would refuse is refused here, before the file is replaced.
  parseNetworks(edited, file);
  await writeFileAtomic(file, edited);
}
