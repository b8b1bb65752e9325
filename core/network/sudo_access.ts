/**
 * Whether limactl may run socket_vmnet through sudo without a password (Lima's
 * `pkg/networks/sudoers.go`, `VerifySudoAccess`): the installed sudoers file must be exactly what
 * `limactl sudoers` prints, or sudo must need no password at all.
 */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import type { NetworkHost } from "./network_host.ts";
import type { NetworksConfig } from "./networks_yaml.ts";
import { isSocketVMNetInstalled, sudoersText } from "./sudoers_text.ts";

type Host = Pick<
  NetworkHost,
  "isExecutable" | "account" | "run" | "programName"
>;

/** Go's `%v` of a command's arguments: `[sudo -k]`. */
function argsText(argv: string[]): string {
  return `[${argv.join(" ")}]`;
}

async function runOrThrow(host: Host, argv: string[]): Promise<void> {
  logger.info(`Running: ${argsText(argv)}`);
  const r = await host.run(argv);
  if (r.code !== 0) {
    throw new Error(`failed to run ${argsText(argv)}: exit status ${r.code}`);
  }
}

/** Forgets sudo's cached password, then asks sudo for root without one. */
export async function passwordLessSudo(
  config: NetworksConfig,
  host: Host,
): Promise<void> {
  await runOrThrow(host, ["sudo", "-k"]);
  if (!isSocketVMNetInstalled(config, host)) return;
  await runOrThrow(host, asRoot(host, ["true"]));
}

/** ARGV run through sudo as root and root's group, never asking for a password (Lima's way). */
export function asRoot(
  host: Pick<NetworkHost, "account">,
  argv: string[],
): string[] {
  const root = host.account("root");
  return [
    "sudo",
    "--user",
    root.user,
    "--group",
    root.group,
    "--non-interactive",
    ...argv,
  ];
}

/** Reads FILE, or undefined when it does not exist. */
export type ReadFile = (file: string) => Promise<string | undefined>;

/**
 * Throws Lima's error unless sudo will run socket_vmnet without asking: FILE holds exactly the
 * current sudoers text, or (FILE empty or missing) sudo needs no password.
 */
export async function verifySudoAccess(
  config: NetworksConfig,
  file: string,
  host: Host & { readFile: ReadFile },
): Promise<void> {
  if (file === "") {
    try {
      await passwordLessSudo(config, host);
    } catch (err) {
      throw new LimaError({
        summary: `passwordLessSudo error: ${(err as Error).message}`,
      });
    }
    logger.debug("sudo doesn't seem to require a password");
    return;
  }
  const hint =
    `run \`${host.programName} sudoers >etc_sudoers.d_lima && sudo install -o root etc_sudoers.d_lima ${
      JSON.stringify(file)
    }\`)`;
  let text: string | undefined;
  try {
    text = await host.readFile(file);
  } catch (err) {
    throw new LimaError({
      summary: `can't read ${quote(file)}: ${
        (err as Error).message
      }: (Hint: ${hint})`,
    });
  }
  if (text === undefined) {
    // Lima's default names /etc/sudoers.d/lima; without it, password-less sudo is as good.
    try {
      await passwordLessSudo(config, host);
      logger.debug(
        `${
          quote(file)
        } does not exist, but sudo doesn't seem to require a password`,
      );
      return;
    } catch (err) {
      logger.debug(
        `${quote(file)} does not exist; passwordLessSudo error: ${
          (err as Error).message
        }`,
      );
    }
    throw new LimaError({
      summary: `can't read ${
        quote(file)
      }: open ${file}: no such file or directory: (Hint: ${hint})`,
    });
  }
  if (text !== sudoersText(config, host)) {
    // Happens when Homebrew upgrades socket_vmnet: its path changes.
    throw new LimaError({
      summary: `sudoers file ${
        quote(file)
      } is out of sync and must be regenerated (Hint: ${hint})`,
    });
  }
}
