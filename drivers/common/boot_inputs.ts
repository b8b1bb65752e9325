/** What a VM is started from in the instance directory, read the same way by every driver. */
import { dirname, join } from "node:path";
import type { LimaYAML } from "../../core/config/schema.ts";
import { exists } from "../../core/exists.ts";

/** Which optional boot files `INSTDIR` holds. */
export interface BootFiles {
  /** `iso`: an installer ISO kept beside a fresh disk. */
  iso: boolean;
  /** `kernel` and `initrd`: a direct kernel boot. */
  kernel: boolean;
  initrd: boolean;
  /** `cidata.iso`: the cloud-init seed. */
  cidata: boolean;
}

/** Which of `iso`, `kernel`, `initrd` and `cidata.iso` exist in DIR. */
export async function bootFiles(dir: string): Promise<BootFiles> {
  return {
    iso: await exists(join(dir, "iso")),
    kernel: await exists(join(dir, "kernel")),
    initrd: await exists(join(dir, "initrd")),
    cidata: await exists(join(dir, "cidata.iso")),
  };
}

/** The trimmed `kernel.cmdline` of DIR, or undefined when there is none. */
export function kernelCmdline(dir: string): Promise<string | undefined> {
  return Deno.readTextFile(join(dir, "kernel.cmdline"))
    .then((t) => t.trim(), () => undefined);
}

/** The `datadisk` paths of the config's `additionalDisks`, under `LIMA_HOME/_disks` (DIR's parent). */
export function additionalDiskPaths(dir: string, config: LimaYAML): string[] {
  const limaHome = dirname(dir);
  return (config.additionalDisks ?? []).map((d) =>
    join(
      limaHome,
      "_disks",
      typeof d === "string" ? d : d.name ?? "",
      "datadisk",
    )
  );
}
