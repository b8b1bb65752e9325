/** `networks[i]` `macAddress`, `interface` and `metric`. */
import { quote } from "../../quote.ts";
import type { Network } from "../schema.ts";
import type { Check } from "./check.ts";
import { macBytes } from "./mac.ts";
import { field } from "./messages.ts";

/** Checks network NW (the I-th) at PATH; INTERFACES maps names used so far to their index. */
export function checkAddressing(
  c: Check,
  path: string,
  nw: Network,
  i: number,
  interfaces: Map<string, number>,
): void {
  if (nw.macAddress) checkMacAddress(c, path, nw.macAddress);
  checkInterface(c, path, nw.interface ?? "", i, interfaces);
  if (nw.metric != null && (nw.metric < 0 || nw.metric > 0xffffffff)) {
    c.fail(
      `${path}.metric`,
      `${
        field(`${path}.metric`)
      } must be between 0 and 4294967295, got ${nw.metric}`,
    );
  }
}

function checkMacAddress({ fail }: Check, path: string, mac: string): void {
  const f = field(`${path}.macAddress`);
  const bytes = macBytes(mac);
  if (bytes === undefined) {
    fail(
      `${path}.macAddress`,
      `${f} must be a MAC address such as "52:55:55:12:34:56", got ${
        quote(mac)
      }`,
    );
  } else if (bytes !== 6) {
    fail(
      `${path}.macAddress`,
      `${f} must be a 48 bit (6 bytes) MAC address; actual length of ${
        quote(mac)
      } is ${bytes} bytes`,
    );
  }
}

/** A Linux interface name: short, no whitespace or slashes, not `eth0`, unique. */
function checkInterface(
  { fail }: Check,
  path: string,
  name: string,
  i: number,
  interfaces: Map<string, number>,
): void {
  const p = `${path}.interface`;
  const bytes = new TextEncoder().encode(name).length;
  if (bytes >= 16) {
    fail(
      p,
      `${field(p)} must be less than 16 bytes, but is ${bytes} bytes: ${
        quote(name)
      }`,
    );
  }
  if (/[\s/]/.test(name)) {
    fail(p, `${field(p)} must not contain whitespace or slashes`);
  }
  if (name === "eth0") {
    fail(
      p,
      `${
        field(p)
      } must not be set to \`eth0\` because it is reserved for slirp`,
    );
  }
  if (!name) return;
  const earlier = interfaces.get(name);
  if (earlier !== undefined) {
    fail(
      p,
      `${field(p)} value ${
        quote(name)
      } has already been used by field \`networks[${earlier}].interface\``,
    );
  } else interfaces.set(name, i);
}
