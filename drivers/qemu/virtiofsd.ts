/**
 * The virtiofsd daemon behind each virtiofs mount (Lima's `FindVirtiofsd` and `VirtiofsdCmdline`
 * in `pkg/driver/qemu/qemu.go`). Hosts have one of two: the Rust virtiofsd, or the C one that
 * QEMU shipped up to 8.0 (Debian's `/usr/lib/qemu/virtiofsd`), whose flags differ.
 */
import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import { run } from "../common/process.ts";

export interface Virtiofsd {
  binary: string;
  kind: "rust" | "c";
  /** Newer Rust daemons have `--readonly`; the C one has no read-only mode. */
  readonlyFlag: boolean;
}

export interface VirtiofsdMount {
  socket: string;
  dir: string;
  writable: boolean;
}

/** What a virtiofsd's `--help` tells about it, or undefined when it is neither daemon. */
export function virtiofsdFromHelp(
  binary: string,
  help: string,
): Virtiofsd | undefined {
  if (/--shared-dir\b/.test(help)) {
    return { binary, kind: "rust", readonlyFlag: /--readonly\b/.test(help) };
  }
  if (/-o source=/.test(help)) {
    return { binary, kind: "c", readonlyFlag: false };
  }
  return undefined;
}

/**
 * The command serving one mount. A read-only mount is also mounted `ro` in the guest
 * (core/cidata), as Lima does for every virtiofs mount; the host refuses writes too, so that
 * root in the guest cannot remount it read-write: through `--readonly` where the Rust daemon
 * has it, and for the C daemon, which has no read-only mode, by starting it in a mount
 * namespace of its own where the directory is a read-only bind mount (its sandbox binds the
 * directory again, keeping the read-only flag).
 */
export function virtiofsdCommand(
  daemon: Virtiofsd,
  mount: VirtiofsdMount,
): { command: string; args: string[] } {
  if (daemon.kind === "rust") {
    const args = ["--socket-path", mount.socket, "--shared-dir", mount.dir];
    if (!mount.writable && daemon.readonlyFlag) args.push("--readonly");
    return { command: daemon.binary, args };
  }
  const args = [
    `--socket-path=${mount.socket}`,
    "-o",
    `source=${fuseOptionValue(mount.dir)}`,
  ];
  if (mount.writable) return { command: daemon.binary, args };
  return {
    command: "unshare",
    args: [
      "--mount",
      "--propagation",
      "private",
      "--",
      "sh",
      "-c",
      'mount --bind -o ro -- "$1" "$1" && shift && exec "$@"',
      "virtiofsd",
      mount.dir,
      daemon.binary,
      ...args,
    ],
  };
}

/** The C daemon splits `-o` at commas; a backslash escapes one (libfuse's option syntax). */
function fuseOptionValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll(",", "\\,");
}

/** Where QEMU's vhost-user descriptors live, in the order Lima searches them. */
export function descriptorDirs(qemuPrefix: string, home: string): string[] {
  const dirs = [
    join(home, ".local/share/qemu/vhost-user"),
    join(qemuPrefix, "share/qemu/vhost-user"),
  ];
  if (qemuPrefix !== "/usr") dirs.push("/usr/share/qemu/vhost-user");
  return dirs;
}

/**
 * The virtiofsd named by a vhost-user descriptor of type `fs`, the Rust one first when both
 * are installed (the C one is no longer maintained).
 */
export async function findVirtiofsd(dirs: string[]): Promise<Virtiofsd> {
  const found: Virtiofsd[] = [];
  for (const binary of await descriptorBinaries(dirs)) {
    const daemon = await probe(binary);
    if (daemon) found.push(daemon);
  }
  const daemon = found.find((d) => d.kind === "rust") ?? found[0];
  if (daemon) return daemon;
  throw new LimaError({
    summary: "virtiofsd was not found, which `mountType: virtiofs` needs",
    detail: `no vhost-user descriptor of type "fs" in ${
      dirs.join(", ")
    } names a working virtiofsd`,
    path: "mountType",
    hint:
      "install virtiofsd (Debian: the qemu-system-common or virtiofsd package), or use another mountType",
  });
}

async function descriptorBinaries(dirs: string[]): Promise<string[]> {
  const binaries: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = (await Array.fromAsync(Deno.readDir(dir)))
        .map((e) => e.name).filter((n) => n.endsWith(".json")).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const descriptor = JSON.parse(
          await Deno.readTextFile(join(dir, name)),
        ) as { type?: string; binary?: string };
        if (descriptor.type === "fs" && descriptor.binary) {
          binaries.push(descriptor.binary);
        }
      } catch {
        // An unreadable descriptor names no daemon.
      }
    }
  }
  return binaries;
}

async function probe(binary: string): Promise<Virtiofsd | undefined> {
  try {
    const result = await run(binary, ["--help"]);
    const text = new TextDecoder().decode(result.stdout) + result.stderr;
    return virtiofsdFromHelp(binary, text);
  } catch {
    return undefined;
  }
}
