/** The `limactl list` table (`PrintInstances` in Lima's `pkg/store/instance.go`). */
import { formatSize } from "../config/units.ts";
import type { Instance } from "../instance/record.ts";
import { alignColumns } from "../tabwriter.ts";

export interface TableOptions {
  /** Never hide columns. */
  allFields?: boolean;
  /** Width of the terminal; 0 or absent = unknown, nothing is hidden. */
  terminalWidth?: number;
  /** Home directory, shown as `~` in DIR. */
  homeDir?: string;
  /** The host's architecture in Lima's spelling (`x86_64`, `aarch64`). */
  hostArch?: string;
}

const COLUMN_WIDTH = 8;

/** Renders INSTANCES as Lima's table, hiding VMTYPE, ARCH and DIR only when a known terminal width is too small. */
export function formatTable(
  instances: Instance[],
  options: TableOptions = {},
): string {
  const width = options.terminalWidth ?? 0;
  const squeeze = (columns: number) =>
    width !== 0 && !options.allFields && columns * COLUMN_WIDTH > width;
  const vmTypes = new Set(instances.map((i) => i.vmType));
  const archs = new Set(instances.map((i) => i.arch));
  let columns = 1 + 2 + 2; // NAME, STATUS, SSH
  const hideType = squeeze(columns + 7) && vmTypes.size === 1;
  if (!hideType) columns++;
  const hideArch = squeeze(columns + 6) && archs.size === 1 &&
    instances[0]?.arch === options.hostArch;
  if (!hideArch) columns++;
  columns += 3; // CPUS, MEMORY, DISK
  const hideDir = squeeze(columns + 2);

  const header = ["NAME", "STATUS", "SSH"];
  if (!hideType) header.push("VMTYPE");
  if (!hideArch) header.push("ARCH");
  header.push("CPUS", "MEMORY", "DISK");
  if (!hideDir) header.push("DIR");

  const rows = instances.map((inst) => {
    const row = [
      inst.name,
      inst.status,
      `${inst.sshAddress}:${inst.sshLocalPort}`,
    ];
    if (!hideType) row.push(inst.vmType);
    if (!hideArch) row.push(inst.arch);
    row.push(String(inst.cpus), formatSize(inst.memory), formatSize(inst.disk));
    if (!hideDir) row.push(tildeHome(inst.dir, options.homeDir));
    return row;
  });
  return alignColumns([header, ...rows]);
}

function tildeHome(dir: string, home: string | undefined): string {
  return home && dir.startsWith(home) ? "~" + dir.slice(home.length) : dir;
}
