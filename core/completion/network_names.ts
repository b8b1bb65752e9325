/** Network names as Lima completes them (`bashCompleteNetworkNames` in Lima's `cmd/limactl/completion.go`). */
import { loadNetworks } from "../network/networks_yaml.ts";
import { type Completion, Directive } from "./directive.ts";

/**
 * The networks of `networks.yaml`, sorted, and no file names; file names when it cannot be
 * read. Like Lima's, reading it writes the default file when there is none.
 */
export async function completeNetworkNames(): Promise<Completion> {
  try {
    const { networks } = await loadNetworks();
    return {
      candidates: Object.keys(networks).sort(),
      directive: Directive.noFileComp,
    };
  } catch {
    return { candidates: [], directive: Directive.default };
  }
}
