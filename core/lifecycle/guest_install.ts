/**
 * `limactl guest-install [INSTANCE]` (hidden; Lima's `cmd/limactl/guest-install.go`): puts the
 * guest components of this `limactl` into a running guest without a reboot: the guest agent as
 * `PREFIX/bin/lima-guestagent` and, when containerd is enabled, the nerdctl-full archive
 * unpacked into PREFIX (`guestInstallPrefix`, default `/usr/local`), each copied to a `mktemp`
 * file first and installed with sudo.
 *
 * Where this differs from Lima: Lima's agent is a Go binary per guest OS and arch found beside
 * `limactl` (maybe gzipped); ours is `core/guestagent/agent.py`, embedded in `limactl`, the same
 * text the seed carries and `boot.Linux/02-guestagent-base.sh` installs at boot. Lima copies
 * with `scp` and runs `ssh -F ssh.config`; here the files go over the in-process SSH connection
 * on a command's stdin. Lima reports success when a copy or an install fails; here the command
 * fails with the step's exit status.
 */
import { basename } from "node:path";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { shellQuote } from "../shell_quote.ts";
import { inspectInstance } from "../instance/instance.ts";
import { GUEST_AGENT_PYTHON } from "../guestagent/agent.ts";
import { connect, type SSHConnection } from "../ssh/client.ts";
import { runningInstance } from "../ssh/running_instance.ts";
import { sshTarget } from "../ssh/target.ts";
import { instanceDir, joinPath } from "../store/paths.ts";
import {
  ensureNerdctlArchive,
  nerdctlArchiveCandidates,
} from "./nerdctl_archive.ts";

/** Installs the guest agent (and nerdctl-full with containerd) into running instance NAME. */
export async function guestInstall(name: string): Promise<void> {
  if (!await inspectInstance(name)) {
    // Lima passes on the store's error for an instance that does not exist.
    throw new LimaError({
      summary: `open ${
        joinPath(instanceDir(name), "lima.yaml")
      }: no such file or directory`,
    });
  }
  const inst = await runningInstance(name);
  const config = inst.config!;
  const prefix = config.guestInstallPrefix || "/usr/local";
  using conn = await connect(await sshTarget(inst), { retries: 2 });
  const bin = `${prefix}/bin/lima-guestagent`;
  await install(conn, {
    instance: name,
    source: "lima-guestagent",
    data: GUEST_AGENT_PYTHON,
    template: "lima-guestagent.XXXXXX",
    tmpName: "lima-guestagent",
    installing: `Installing lima-guestagent to ${bin}`,
    command: (tmp) => `sudo install -m 755 ${tmp} ${shellQuote(bin)}`,
  });
  const archive = await ensureNerdctlArchive(config);
  if (archive === undefined) return;
  using file = await Deno.open(archive);
  await install(conn, {
    instance: name,
    source: basename(nerdctlArchiveCandidates(config)[0]?.location ?? archive),
    data: file.readable,
    template: "nerdctl-full.XXXXXX.tgz",
    tmpName: "nerdctl-full.tgz",
    installing: `Installing nerdctl-full.tgz in ${prefix}`,
    command: (tmp) => `sudo tar Cxzf ${shellQuote(prefix)} ${tmp}`,
  });
}

interface Installation {
  instance: string;
  /** The file's name in Lima's message. */
  source: string;
  data: string | ReadableStream<Uint8Array>;
  /** `mktemp -t` template of the guest's temporary copy. */
  template: string;
  /** What Lima calls the temporary copy in its messages. */
  tmpName: string;
  installing: string;
  /** The install command, given the quoted temporary file. */
  command: (tmp: string) => string;
}

/** Copies the data into a guest temporary file, runs the install command on it, removes it. */
async function install(conn: SSHConnection, step: Installation) {
  const made = await conn.run(`mktemp -t ${step.template}`);
  check(made.code, `failed to create a temporary file for ${step.tmpName}`);
  const tmp = shellQuote(new TextDecoder().decode(made.stdout).trim());
  logger.info(
    `Copying ${quote(step.source)} to ${step.instance}:${step.tmpName}`,
  );
  check(
    await conn.exec(`cat > ${tmp}`, {
      stdin: step.data,
      stderr: Deno.stderr.writable,
    }).then((s) => s.code),
    `failed to copy ${quote(step.source)} to ${step.instance}`,
  );
  logger.info(step.installing);
  const status = await conn.exec(step.command(tmp), {
    stdout: Deno.stdout.writable,
    stderr: Deno.stderr.writable,
  });
  await conn.run(`rm -f ${tmp}`);
  check(status.code, `failed to install ${step.tmpName}`);
}

function check(code: number, summary: string): void {
  if (code !== 0) {
    throw new LimaError({ summary, detail: `exit status ${code}` });
  }
}
