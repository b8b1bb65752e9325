/**
 * Writes the cidata seed of an instance: `INSTDIR/cidata.iso` and `INSTDIR/cloud-config.yaml`
 * (Lima's `GenerateISO9660`, `pkg/cidata/cidata.go`).
 */
import { join } from "node:path";
import { InstanceFiles } from "../store/paths.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { buildIso } from "./iso9660.ts";
import { seedContents, type SeedOptions } from "./seed.ts";

/**
 * Builds the seed and replaces `cidata.iso` and `cloud-config.yaml` atomically, so a guest or
 * reader never sees a half-written file; everything is computed before anything is written.
 * Returns the path of the ISO.
 */
export async function writeCidataISO(options: SeedOptions): Promise<string> {
  const { files, cloudConfig } = seedContents(options);
  const iso = buildIso(files, { volumeLabel: "cidata" });
  const isoPath = join(options.instDir, InstanceFiles.cidataISO);
  await writeFileAtomic(
    join(options.instDir, InstanceFiles.cloudConfig),
    cloudConfig,
    { mode: 0o444 },
  );
  await writeFileAtomic(isoPath, iso, { mode: 0o644 });
  return isoPath;
}
