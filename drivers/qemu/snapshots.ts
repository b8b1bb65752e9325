/**
 * Snapshots of a QEMU instance (Lima's `Save`, `Load`, `Del` and `List` in
 * `pkg/driver/qemu/qemu.go`): while QEMU runs, the human-monitor commands `savevm`, `loadvm`,
 * `delvm` and `info snapshots` sent over QMP; while it does not, `qemu-img snapshot -c`, `-a`,
 * `-d` and `-l` on the instance's disk.
 */
import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import { exists } from "../../core/exists.ts";
import { logger } from "../../core/log.ts";
import { quote } from "../../core/quote.ts";
import type { SnapshotOps } from "../../plugins/contract.ts";
import { runText } from "../common/process.ts";

/** What the snapshot operations need from the driver. */
export interface SnapshotTarget {
  /** The instance directory (`disk`, or `diffdisk` of an instance made before Lima 2.1). */
  dir: string;
  /** `qemu-img` executable. */
  qemuImg: string;
  /** Whether QEMU runs the instance now. */
  running(): Promise<boolean>;
  /** Runs a human-monitor command over the instance's QMP socket and returns its output. */
  hmp(commandLine: string, timeoutMs: number): Promise<string>;
}

/**
 * How long `savevm`, `loadvm` and `delvm` may take: they write or read the guest's whole
 * memory (Lima waits without limit).
 */
export const HMP_SNAPSHOT_TIMEOUT_MS = 30 * 60_000;
/** How long `info snapshots` may take. */
const HMP_LIST_TIMEOUT_MS = 30_000;

/** The disk name Lima used before 2.1, which an instance not started since may still have. */
const LEGACY_DISK = "diffdisk";

/** The snapshot operations of the QEMU instance TARGET. */
export function qemuSnapshots(target: SnapshotTarget): SnapshotOps {
  const change = async (
    verb: string,
    hmp: string,
    flag: string,
    tag: string,
  ) => {
    const what = `${verb} snapshot ${quote(tag)}`;
    if (await target.running()) {
      await runningChange(target, hmp, tag, what);
    } else {
      await qemuImgSnapshot(target, [flag, tag], what);
    }
  };
  return {
    create: (tag) => change("create", "savevm", "-c", tag),
    apply: (tag) => change("apply", "loadvm", "-a", tag),
    delete: (tag) => change("delete", "delvm", "-d", tag),
    async list() {
      if (await target.running()) {
        logger.info("Sending HMP info command");
        return hmpSnapshotList(
          await target.hmp("info snapshots", HMP_LIST_TIMEOUT_MS),
        );
      }
      return qemuImgSnapshotList(
        await qemuImgSnapshot(target, ["-l"], "list snapshots"),
      );
    },
  };
}

/**
 * Sends `HMP TAG` to the running QEMU. HMP reports a failure as output starting with `Error:`
 * (the QMP command itself succeeds): that fails the operation; any other output is logged as
 * Lima does (`output: …`).
 */
async function runningChange(
  target: SnapshotTarget,
  hmp: string,
  tag: string,
  what: string,
): Promise<void> {
  logger.info(`Sending HMP ${hmp} command`);
  const out = (await target.hmp(
    `${hmp} ${hmpArgument(tag)}`,
    HMP_SNAPSHOT_TIMEOUT_MS,
  )).replaceAll("\r", "").trim();
  if (/^Error:/m.test(out)) {
    throw new LimaError({
      summary: `failed to ${what}`,
      detail: out.replace(/^Error:\s*/, ""),
    });
  }
  if (out) logger.warn(`output: ${out}`);
}

/** Runs `qemu-img snapshot ARGS DISK` and returns its output. */
async function qemuImgSnapshot(
  target: SnapshotTarget,
  args: string[],
  what: string,
): Promise<string> {
  const all = ["snapshot", ...args, await snapshotDisk(target.dir)];
  logger.debug(`Running qemu-img [${all.join(" ")}] command`);
  return await runText(target.qemuImg, all, what);
}

/** The disk `qemu-img snapshot` works on: `disk`, else the legacy `diffdisk`. */
export async function snapshotDisk(dir: string): Promise<string> {
  const disk = join(dir, "disk");
  if (await exists(disk)) return disk;
  const legacy = join(dir, LEGACY_DISK);
  if (await exists(legacy)) return legacy;
  throw new LimaError({
    summary: "the instance has no disk yet",
    detail: `${disk} does not exist`,
    hint: "the disk is made when the instance starts for the first time",
  });
}

/**
 * TAG as one HMP string argument: as it is when it is a single word, else in double quotes
 * with `"` and `\` escaped (HMP's `get_str`), so that a tag with spaces names one snapshot.
 */
export function hmpArgument(tag: string): string {
  if (tag !== "" && !/[\s"'\\]/.test(tag)) return tag;
  return `"${tag.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * `info snapshots` as `limactl snapshot list` prints it: without carriage returns and the
 * lines that only say what follows (or that nothing does), so that it starts with the header.
 */
export function hmpSnapshotList(out: string): string {
  return out.replaceAll("\r", "")
    .replace("List of snapshots present on all disks:\n", "")
    .replace("There is no snapshot available.\n", "");
}

/** `qemu-img snapshot -l` without its heading, so that it starts with the column header. */
export function qemuImgSnapshotList(out: string): string {
  return out.replace("Snapshot list:\n", "");
}
