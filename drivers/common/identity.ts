/** Names derived from an instance that the drivers and the guest must agree on (spec §17.3, §11.1). */
import { createHash } from "node:crypto";

/** The host's machine id (macOS `IOPlatformUUID`, else `/etc/machine-id`, else D-Bus'), or "". */
export async function machineId(os: string = Deno.build.os): Promise<string> {
  if (os === "darwin") {
    try {
      const out = await new Deno.Command("ioreg", {
        args: ["-rd1", "-c", "IOPlatformExpertDevice"],
      }).output();
      const m = /"IOPlatformUUID" = "([^"]+)"/.exec(
        new TextDecoder().decode(out.stdout),
      );
      if (m) return m[1];
    } catch {
      // Fall through to the files below.
    }
  }
  for (const file of ["/etc/machine-id", "/var/lib/dbus/machine-id"]) {
    try {
      return (await Deno.readTextFile(file)).trim();
    } catch {
      // Try the next one.
    }
  }
  return "";
}

/** `52:55:55:` plus the first three bytes of sha256(machine id ‖ key); key is INSTDIR for NIC 0. */
export function macAddress(machine: string, key: string): string {
  const digest = createHash("sha256").update(machine + key).digest();
  return [
    "52",
    "55",
    "55",
    ...[0, 1, 2].map((i) => digest[i].toString(16).padStart(2, "0")),
  ].join(":");
}

/** `lima-` + hex of the first 8 bytes of sha256(`location:mountPoint`): the 9p/virtiofs tag. */
export function mountTag(location: string, mountPoint: string): string {
  return "lima-" +
    createHash("sha256").update(`${location}:${mountPoint}`).digest("hex")
      .slice(0, 16);
}
