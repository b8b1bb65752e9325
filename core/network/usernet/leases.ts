/**
 * DHCP leases of a user-v2 network, kept across daemon restarts so a guest gets its address back
 * (Lima's `pkg/networks/usernet/recoincile.go`): `leases.json` is a JSON map IP → MAC, handed to
 * the next daemon as `--leases IP=MAC,…`.
 */
import { isIPv4 } from "node:net";
import { LimaError } from "../../errors.ts";
import { quote } from "../../quote.ts";
import { writeFileAtomic } from "../../store/atomic_write.ts";
import { ifFound } from "../../if_found.ts";

export type Leases = Record<string, string>;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function checked(ip: string, mac: string, where: string): [string, string] {
  if (!isIPv4(ip) || !MAC.test(mac)) {
    throw new LimaError({
      summary: `${where}: ${
        quote(`${ip}=${mac}`)
      } is not an IPv4 address and a MAC address`,
    });
  }
  return [ip, mac.toLowerCase()];
}

/** Parses `--leases IP=MAC,IP=MAC`; an empty string means none. */
export function parseLeasesFlag(text: string): Leases {
  const leases: Leases = {};
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const at = item.indexOf("=");
    const [ip, mac] = checked(
      item.slice(0, at < 0 ? item.length : at),
      at < 0 ? "" : item.slice(at + 1),
      "invalid --leases entry",
    );
    leases[ip] = mac;
  }
  return leases;
}

/** The `--leases` value for LEASES, sorted so the command line is stable. */
export function formatLeasesFlag(leases: Leases): string {
  return Object.keys(leases).sort().map((ip) => `${ip}=${leases[ip]}`).join(
    ",",
  );
}

/** Reads `leases.json`: none when it is missing, an error naming the file when it is not a lease map. */
export async function readLeasesFile(path: string): Promise<Leases> {
  const text = await ifFound(Deno.readTextFile(path));
  if (text === undefined || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LimaError({
      summary: `invalid ${quote(path)}: not JSON`,
      detail: String(err),
      hint: "remove the file; guests then get new addresses",
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new LimaError({
      summary: `invalid ${quote(path)}: must be a map of IP to MAC addresses`,
    });
  }
  const leases: Leases = {};
  for (const [ip, mac] of Object.entries(parsed)) {
    const [k, v] = checked(ip, String(mac), `invalid ${quote(path)}`);
    leases[k] = v;
  }
  return leases;
}

/** Writes `leases.json` atomically. */
export async function writeLeasesFile(
  path: string,
  leases: Leases,
): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(leases) + "\n", { mode: 0o644 });
}
