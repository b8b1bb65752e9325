/**
 * The guest's time zone (`timezone` in lima.yaml) as seed files for
 * `boot.Linux/01-timezone.sh`, which sets it at every boot with or without cloud-init.
 */
import { join } from "node:path";
import type { IsoFile } from "./iso9660.ts";

/** Where the host keeps compiled time zones (TZif files). */
export const HOST_ZONEINFO = "/usr/share/zoneinfo";

/**
 * `timezone` holds the zone name; `zoneinfo` the host's TZif data for it, which the guest
 * installs when it has no data of its own (images without tzdata). None for an empty ZONE.
 */
export function timezoneFiles(
  zone: string,
  zoneinfoDir: string = HOST_ZONEINFO,
): IsoFile[] {
  if (!zone) return [];
  const files: IsoFile[] = [{
    path: "timezone",
    data: new TextEncoder().encode(`${zone}\n`),
  }];
  let data: Uint8Array | undefined;
  try {
    data = Deno.readFileSync(join(zoneinfoDir, zone));
  } catch {
    // No data on this host (Windows, no tzdata): the guest must have its own.
  }
  if (data && new TextDecoder().decode(data.subarray(0, 4)) === "TZif") {
    files.push({ path: "zoneinfo", data });
  }
  return files;
}
