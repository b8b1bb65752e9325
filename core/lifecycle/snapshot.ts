/**
 * `limactl snapshot create|apply|delete|list` (Lima's `cmd/limactl/snapshot.go` and
 * `pkg/snapshot/snapshot.go`): the instance's driver saves, restores, deletes and lists
 * snapshots, of the running VM or of the stopped instance's disk, as the driver decides. Drivers
 * without `capabilities.snapshots` are refused before anything is done.
 */
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { inspectExisting } from "../instance/inspect_existing.ts";
import type { Instance } from "../instance/record.ts";
import { lockInstance } from "../store/lock.ts";
import { validateInstanceName } from "../store/names.ts";
import type { SnapshotOps } from "../../plugins/contract.ts";
import { assertHostSupported } from "../../plugins/guard.ts";
import type { DriverRegistry } from "../../plugins/registry.ts";

export interface SnapshotOptions {
  drivers: DriverRegistry;
}

/** Lima's check of `--tag`, made after the instance was found, as Lima does. */
function checkTag(tag: string | undefined): string {
  if (!tag) {
    throw new LimaError({
      summary: "expected tag",
      hint: "name the snapshot with `--tag TAG`",
    });
  }
  return tag;
}

/** The snapshot operations of INST's driver, bound to it. */
async function snapshotsOf(
  inst: Instance,
  o: SnapshotOptions,
): Promise<SnapshotOps> {
  if (!inst.config) {
    throw new LimaError({
      summary: `instance ${quote(inst.name)} has no usable configuration`,
      detail: inst.errors.join("; ") || undefined,
    });
  }
  const loaded = await o.drivers.get(inst.vmType);
  if (!loaded.manifest.capabilities.snapshots) {
    throw new LimaError({
      summary: `driver ${
        quote(loaded.manifest.name)
      } does not support snapshots`,
      detail: "unimplemented",
    });
  }
  assertHostSupported(loaded.manifest);
  // Bound without `configure`: snapshots act on the instance directory and the running VM, and
  // filling the driver's defaults may probe the host (the QEMU accelerator's test boot).
  const driver = await loaded.create({
    name: inst.name,
    dir: inst.dir,
    config: inst.config,
    limaVersion: inst.limaVersion,
  });
  return driver.snapshots!;
}

/** Runs a snapshot change on instance NAME under its lock. */
async function change(
  name: string,
  tag: string | undefined,
  o: SnapshotOptions,
  fn: (ops: SnapshotOps, tag: string) => Promise<void>,
): Promise<void> {
  validateInstanceName(name);
  await using _lock = await lockInstance(name);
  const inst = await inspectExisting(name);
  const checked = checkTag(tag);
  await fn(await snapshotsOf(inst, o), checked);
}

/** `limactl snapshot create NAME --tag TAG`: saves a snapshot named TAG. */
export function createSnapshot(
  name: string,
  tag: string | undefined,
  o: SnapshotOptions,
): Promise<void> {
  return change(name, tag, o, (ops, t) => ops.create(t));
}

/** `limactl snapshot apply NAME --tag TAG`: restores the snapshot TAG. */
export function applySnapshot(
  name: string,
  tag: string | undefined,
  o: SnapshotOptions,
): Promise<void> {
  return change(name, tag, o, (ops, t) => ops.apply(t));
}

/** `limactl snapshot delete NAME --tag TAG`: deletes the snapshot TAG. */
export function deleteSnapshot(
  name: string,
  tag: string | undefined,
  o: SnapshotOptions,
): Promise<void> {
  return change(name, tag, o, (ops, t) => ops.delete(t));
}

/**
 * `limactl snapshot list NAME [--quiet]`: the driver's table (QEMU's columns `ID`, `TAG`,
 * `VM SIZE`, `DATE`, `VM CLOCK`, `ICOUNT`), or with QUIET only the tags, one a line.
 */
export async function listSnapshots(
  name: string,
  o: SnapshotOptions & { quiet?: boolean },
): Promise<string> {
  const inst = await inspectExisting(name);
  const out = await (await snapshotsOf(inst, o)).list();
  if (!o.quiet) return out;
  return snapshotTags(out).map((tag) => `${tag}\n`).join("");
}

/**
 * A row of QEMU's snapshot table: ID, TAG (which may hold spaces), VM SIZE (`0 B`, `495 KiB`),
 * DATE (`YYYY-MM-DD hh:mm:ss`), then VM CLOCK and ICOUNT.
 */
const QEMU_ROW = /^\s*\S+\s+(.+?)\s+\d+(?:\.\d+)?\s+\S*B\s+\d{4}-\d\d-\d\d\s/;

/**
 * The tags of a snapshot table: the second column of each line after the header (Lima's
 * `snapshotListAction`), refusing a header whose second column is not `TAG`. A tag with spaces,
 * which Lima cuts at the first, is read whole from a row in QEMU's layout.
 */
export function snapshotTags(table: string): string[] {
  const tags: string[] = [];
  table.split("\n").forEach((line, i) => {
    const fields = line.trim().split(/\s+/).filter((f) => f !== "");
    if (i === 0) {
      if (fields.length > 1 && fields[1] !== "TAG") {
        throw new LimaError({ summary: `unknown header: ${line}` });
      }
      return;
    }
    if (fields.length > 1) tags.push(QEMU_ROW.exec(line)?.[1] ?? fields[1]);
  });
  return tags;
}
