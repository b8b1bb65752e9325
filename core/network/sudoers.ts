/**
 * `limactl sudoers [--check [SUDOERSFILE]]` (Lima's `cmd/limactl/sudoers_darwin.go` and
 * `sudoers_nodarwin.go`): prints the sudoers file socket_vmnet needs, or checks an installed one.
 */
import { LimaError } from "../errors.ts";
import { ifFound } from "../if_found.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { type NetworkHost, systemHost } from "./network_host.ts";
import { loadNetworks, networksFile } from "./networks_yaml.ts";
import { validateNetworksSecurity } from "./networks_security.ts";
import { type ReadFile, verifySudoAccess } from "./sudo_access.ts";
import { sudoersText } from "./sudoers_text.ts";

export const SOCKET_VMNET_DOCS =
  "https://lima-vm.io/docs/config/network/vmnet/#socket_vmnet";

export interface SudoersOptions {
  /** `--check`: compare ARGS[0] (default `paths.sudoers`) with the generated text. */
  check?: boolean;
  home?: string;
  host?: NetworkHost & { readFile?: ReadFile };
}

const readFile: ReadFile = (file) => ifFound(Deno.readTextFile(file));

/** What `limactl sudoers ARGS` prints on stdout; throws Lima's errors. */
export async function sudoers(
  args: string[],
  options: SudoersOptions = {},
): Promise<string> {
  const host = { readFile, ...(options.host ?? systemHost()) };
  if (host.os !== "darwin") {
    throw new LimaError({
      summary: "sudoers command is only supported on macOS right now",
    });
  }
  const config = await loadNetworks(options.home);
  try {
    validateNetworksSecurity(config, host);
  } catch (err) {
    logger.info(`Please check ${SOCKET_VMNET_DOCS} for more information.`);
    throw err;
  }
  if (options.check) {
    const file = args[0] ?? config.paths.sudoers;
    if (file === "") {
      throw new LimaError({
        summary: `no sudoers file defined in ${
          quote(networksFile(options.home))
        }`,
      });
    }
    await verifySudoAccess(config, file, host);
    return `${
      quote(file)
    } is up-to-date (or sudo doesn't require a password)\n`;
  }
  if (args.length > 0) {
    throw new LimaError({
      summary: "the file argument can be specified only for --check mode",
    });
  }
  return sudoersText(config, host);
}
