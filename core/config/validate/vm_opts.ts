/** `vmOpts`: the per-driver options that the schema types. */
import { quote } from "../../quote.ts";
import { VZ_DISK_IMAGE_FORMATS } from "../schema.ts";
import { parseSemver } from "../semver.ts";
import type { Check } from "./check.ts";
import { field, orList } from "./messages.ts";

export function checkVMOpts({ y, fail }: Check): void {
  const qemuMinimum = y.vmOpts?.qemu?.minimumVersion;
  if (qemuMinimum && !parseSemver(qemuMinimum)) {
    fail(
      "vmOpts.qemu.minimumVersion",
      `${
        field("vmOpts.qemu.minimumVersion")
      } must be a semver value such as "8.2.0", got ${quote(qemuMinimum)}`,
    );
  }
  const format = y.vmOpts?.vz?.diskImageFormat;
  if (
    format && !(VZ_DISK_IMAGE_FORMATS as readonly string[]).includes(format)
  ) {
    fail(
      "vmOpts.vz.diskImageFormat",
      `${field("vmOpts.vz.diskImageFormat")} must be ${
        orList(VZ_DISK_IMAGE_FORMATS)
      }, got ${quote(format)}`,
    );
  }
}
