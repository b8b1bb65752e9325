/** `portForwards`: addresses, protocol and direction of each rule. */
import { quote } from "../../quote.ts";
import { type PortForward, PROTOS } from "../schema.ts";
import type { Check } from "./check.ts";
import { isIP } from "./ip.ts";
import { field } from "./messages.ts";
import { checkPortsAndSockets } from "./port_forward_ends.ts";

/** "`tcp`, `udp`, or `any`". */
const PROTO_LIST = PROTOS.map((p, i) =>
  `${i === PROTOS.length - 1 ? "or " : ""}\`${p}\``
).join(", ");

export function checkPortForwards(c: Check): void {
  c.y.portForwards?.forEach((rule, i) =>
    checkRule(c, `portForwards[${i}]`, rule)
  );
}

function checkRule(c: Check, path: string, rule: PortForward): void {
  const { fail } = c;
  const f = (name: string) => field(`${path}.${name}`);
  for (const key of ["guestIP", "hostIP"] as const) {
    const ip = rule[key];
    if (ip != null && !isIP(ip)) {
      fail(
        `${path}.${key}`,
        `${f(key)} must be an IP address, got ${quote(ip)}`,
      );
    }
  }
  if (rule.guestIPMustBeZero && rule.guestIP !== "0.0.0.0") {
    fail(
      `${path}.guestIPMustBeZero`,
      `${f("guestIPMustBeZero")} can only be true when ${
        f("guestIP")
      } is 0.0.0.0`,
    );
  }
  checkPortsAndSockets(c, path, rule);
  const proto = rule.proto ?? "any";
  if (!(PROTOS as readonly string[]).includes(proto)) {
    fail(
      `${path}.proto`,
      `${f("proto")} must be ${PROTO_LIST}, got ${quote(proto)}`,
    );
  }
  if (rule.reverse && (!rule.guestSocket || !rule.hostSocket)) {
    fail(
      `${path}.reverse`,
      `${f("reverse")} must be false unless both ${f("guestSocket")} and ${
        f("hostSocket")
      } are set`,
    );
  }
}
