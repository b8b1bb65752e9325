/** `os`, `arch` and `vmType`: which guest, on which driver. */
import { quote } from "../../quote.ts";
import { ARCHS, OSES } from "../schema.ts";
import type { Check } from "./check.ts";
import { driversWhere } from "./driver_rules.ts";
import { field, list, quotedList } from "./messages.ts";

const EXPERIMENTAL_ARCHS = ["riscv64", "armv7l", "s390x", "ppc64le"];
const WINDOWS_ARCHS = ["x86_64", "aarch64"];

export function checkPlatform(c: Check): void {
  const { y, os, arch, fail } = c;
  if (!(OSES as readonly string[]).includes(os)) {
    fail(
      "os",
      `${field("os")} must be one of ${quotedList(OSES)}; got ${quote(os)}`,
    );
  }
  if (!(ARCHS as readonly string[]).includes(arch)) {
    fail(
      "arch",
      `${field("arch")} must be one of ${list(ARCHS)}; got ${quote(arch)}`,
    );
  } else if (EXPERIMENTAL_ARCHS.includes(arch)) {
    c.warn(`\`arch: ${arch}\` is experimental`);
  }
  const known = Object.keys(c.drivers);
  if (y.vmType != null && !known.includes(y.vmType)) {
    fail(
      "vmType",
      `vmType ${JSON.stringify(y.vmType)} is not a registered driver (known: ${
        known.join(", ")
      })`,
    );
  }
  if (os === "Windows") checkWindows(c);
}

function checkWindows({ y, arch, drivers, fail, warn }: Check): void {
  warn("`os: Windows` is experimental");
  const windows = driversWhere(
    drivers,
    (r) => r.guestOSes?.includes("Windows"),
  );
  if (!windows.includes(y.vmType ?? "")) {
    fail(
      "vmType",
      `currently Windows guest is only supported on ${
        windows.map((name) => `\`${name}\``).join(", ")
      }; got ${quote(y.vmType ?? "")}`,
    );
  }
  if (!WINDOWS_ARCHS.includes(arch)) {
    fail(
      "arch",
      `currently Windows guest is only supported on [${
        WINDOWS_ARCHS.map((a) => `\`${a}\``).join(", ")
      }]; got ${quote(arch)}`,
    );
  }
}
