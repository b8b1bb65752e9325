/** Finding `qemu-system-<arch>` and checking its version (Lima's `pkg/driver/qemu/qemu.go`). */
import { LimaError } from "../../core/errors.ts";
import { compareVersions } from "../../core/config/semver.ts";
import type { Arch } from "../../core/config/schema.ts";
import { logger } from "../../core/log.ts";
import { runText } from "../common/process.ts";

/** QEMU's name for a Lima arch. */
export function qemuArch(arch: Arch): string {
  switch (arch) {
    case "armv7l":
      return "arm";
    case "ppc64le":
      return "ppc64";
    default:
      return arch;
  }
}

export interface QemuBinary {
  /** The executable. */
  path: string;
  /** Leading arguments from `QEMU_SYSTEM_<ARCH>` (for debugging only). */
  extraArgs: string[];
}

/** Splits a command line the way a POSIX shell would for plain words and quotes. */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|((?:\\.|[^\s"'\\])+)|(\s+)/g;
  let current: string | undefined;
  for (const m of text.matchAll(re)) {
    if (m[4] !== undefined) {
      if (current !== undefined) words.push(current);
      current = undefined;
      continue;
    }
    const part = m[1] !== undefined
      ? m[1].replace(/\\(.)/g, "$1")
      : m[2] ?? m[3].replace(/\\(.)/g, "$1");
    current = (current ?? "") + part;
  }
  if (current !== undefined) words.push(current);
  return words;
}

/** `qemu-system-<qarch>` on PATH, or what `QEMU_SYSTEM_<QARCH>` says. */
export function qemuBinary(
  arch: Arch,
  env: Record<string, string | undefined> = Deno.env.toObject(),
  defaultPath?: string,
): QemuBinary {
  const qarch = qemuArch(arch);
  const override = env[`QEMU_SYSTEM_${qarch.toUpperCase()}`];
  if (override) {
    const [path, ...extraArgs] = splitCommandLine(override);
    if (extraArgs.length > 0) {
      logger.warn(
        `Specifying extra QEMU arguments via QEMU_SYSTEM_${qarch.toUpperCase()} is only for debugging`,
      );
    }
    return { path, extraArgs };
  }
  return { path: defaultPath ?? `qemu-system-${qarch}`, extraArgs: [] };
}

/** The version from `--version` output, e.g. `7.2.22`. */
export function parseQemuVersion(text: string): string {
  const m = /^QEMU emulator version (\d+\.\d+\.\d+)/m.exec(text);
  if (!m) {
    throw new LimaError({
      summary: "failed to parse the QEMU version",
      detail: text.split("\n")[0],
    });
  }
  return m[1];
}

/** Whether VERSION is older than MINIMUM; both are semver (validation checks the template's). */
function olderThan(version: string, minimum: string): boolean {
  return (compareVersions(version, minimum) ?? 0) < 0;
}

/**
 * Hard and recommended minimum versions for a host (Lima's `Cmdline`, `pkg/driver/qemu/qemu.go`).
 */
export function minimumVersions(
  hostOS: string,
  hostArch: string,
): { hard: string; soft: string } {
  if (hostOS === "darwin") {
    return hostArch === "aarch64"
      ? { hard: "8.2.1", soft: "8.2.1" }
      : { hard: "7.0.0", soft: "8.2.1" };
  }
  if (hostOS === "windows") return { hard: "11.0.0", soft: "11.0.0" };
  return { hard: "4.0.0", soft: "6.2.0" };
}

/** Runs `--version` and enforces the minimum versions; returns the version. */
export async function checkQemuVersion(
  binary: QemuBinary,
  options: {
    hostOS: string;
    hostArch: string;
    templateMinimum?: string | null;
  },
): Promise<string> {
  const version = parseQemuVersion(
    await runText(binary.path, [...binary.extraArgs, "--version"], "run QEMU"),
  );
  const { hard, soft } = minimumVersions(options.hostOS, options.hostArch);
  if (olderThan(version, hard)) {
    throw new LimaError({
      summary: `QEMU ${version} is too old, ${hard} or later required`,
    });
  }
  if (olderThan(version, soft)) {
    logger.warn(`QEMU ${version} is too old, ${soft} or later is recommended`);
  }
  const wanted = options.templateMinimum;
  if (wanted && olderThan(version, wanted)) {
    throw new LimaError({
      summary: `QEMU ${version} is too old, template requires ${
        JSON.stringify(wanted)
      } or later`,
    });
  }
  return version;
}
