/** `mountType` and `mountInotify`. */
import { quote } from "../../quote.ts";
import { MOUNT_TYPES } from "../schema.ts";
import type { Check } from "./check.ts";
import { field } from "./messages.ts";

export function checkMountType(
  { y, hostOS, rules, fail, warn }: Check,
): void {
  const mountType = y.mountType;
  if (
    mountType != null && mountType !== "" &&
    !rules.extraMountTypes?.includes(mountType)
  ) {
    if (!(MOUNT_TYPES as readonly string[]).includes(mountType)) {
      fail(
        "mountType",
        `${field("mountType")} must be ${
          MOUNT_TYPES.map((t) => quote(t)).join(" or ")
        }, got ${quote(mountType)}`,
      );
    } else if (y.mountTypesUnsupported?.includes(mountType)) {
      fail(
        "mountType",
        `mount type ${JSON.stringify(mountType)} is explicitly unsupported`,
      );
    }
    if (mountType === "virtiofs" && hostOS === "linux") {
      warn("`mountType: virtiofs` on Linux is experimental");
    }
  }
  if (y.mountInotify) warn("`mountInotify` is experimental");
}
