/** The two ends of a `portForwards[i]` rule: a port, a port range or a socket on each side. */
import { isAbsolute, posix } from "node:path";
import { quote } from "../../quote.ts";
import { unixPathMax } from "../../store/names.ts";
import type { PortForward } from "../schema.ts";
import type { Check } from "./check.ts";
import { field } from "./messages.ts";
import { checkPort } from "./port.ts";

type Range = [number, number];

export function checkPortsAndSockets(
  c: Check,
  path: string,
  rule: PortForward,
): void {
  const guestRange: Range = rule.guestPortRange ??
    [rule.guestPort ?? 0, rule.guestPort ?? 0];
  const hostRange: Range = rule.hostPortRange ??
    [rule.hostPort ?? 0, rule.hostPort ?? 0];
  checkSinglePort(
    c,
    path,
    "guest",
    rule.guestPort,
    rule.guestSocket,
    guestRange,
  );
  checkSinglePort(c, path, "host", rule.hostPort, rule.hostSocket, hostRange);
  checkRanges(c, path, rule, guestRange, hostRange);
  if (rule.guestSocket) checkSocket(c, path, rule, "guest", hostRange);
  if (rule.hostSocket) checkSocket(c, path, rule, "host", guestRange);
  else if (guestRange[1] - guestRange[0] !== hostRange[1] - hostRange[0]) {
    c.fail(
      `${path}.hostPortRange`,
      `${
        field(`${path}.hostPortRange`)
      } must specify the same number of ports as ${
        field(`${path}.guestPortRange`)
      }`,
    );
  }
}

/** `guestPort`/`hostPort`: excludes a socket on its side and starts its range. */
function checkSinglePort(
  c: Check,
  path: string,
  side: "guest" | "host",
  port: number | null | undefined,
  socket: string | null | undefined,
  range: Range,
): void {
  if (!port) return;
  const f = (name: string) => field(`${path}.${side}${name}`);
  if (socket) {
    c.fail(
      `${path}.${side}Port`,
      `${f("Port")} must be 0 when ${f("Socket")} is set`,
    );
  }
  if (port !== range[0]) {
    c.fail(
      `${path}.${side}Port`,
      `${f("Port")} must match ${f("PortRange[0]")}`,
    );
  }
  checkPort(c, `${path}.${side}Port`, port);
}

/** Each range bound is a port, and ranges go upwards; a host socket has no host range. */
function checkRanges(
  c: Check,
  path: string,
  rule: PortForward,
  guestRange: Range,
  hostRange: Range,
): void {
  const f = (name: string) => field(`${path}.${name}`);
  for (const j of [0, 1]) {
    checkPort(c, `${path}.guestPortRange[${j}]`, guestRange[j]);
    if (!rule.hostSocket) {
      checkPort(c, `${path}.hostPortRange[${j}]`, hostRange[j]);
    }
  }
  if (guestRange[0] > guestRange[1]) {
    c.fail(
      `${path}.guestPortRange`,
      `${f("guestPortRange[1]")} must be greater than or equal to ${
        f("guestPortRange[0]")
      }`,
    );
  }
  if (hostRange[0] > hostRange[1] && !rule.hostSocket) {
    c.fail(
      `${path}.hostPortRange`,
      `${f("hostPortRange[1]")} must be greater than or equal to ${
        f("hostPortRange[0]")
      }`,
    );
  }
}

/** How each side's socket is checked: the path flavour, and the other side. */
const SOCKET_SIDES = {
  guest: { absolute: posix.isAbsolute, other: "host", mapped: "to" },
  host: { absolute: isAbsolute, other: "guest", mapped: "from" },
} as const;

/** An absolute socket path that maps to a single port or socket, not a range. */
function checkSocket(
  { fail }: Check,
  path: string,
  rule: PortForward,
  side: "guest" | "host",
  otherRange: Range,
): void {
  const { absolute, other, mapped } = SOCKET_SIDES[side];
  const socket = rule[`${side}Socket`] ?? "";
  const p = `${path}.${side}Socket`;
  if (!absolute(socket)) {
    fail(p, `${field(p)} must be an absolute path, but is ${quote(socket)}`);
  }
  if (!rule[`${other}Socket`] && otherRange[1] - otherRange[0] > 0) {
    fail(
      p,
      `${
        field(p)
      } can only be mapped ${mapped} a single port or socket. not a range`,
    );
  }
  if (side === "host" && socket.length >= unixPathMax()) {
    fail(
      p,
      `${
        field(p)
      } must be less than UNIX_PATH_MAX=${unixPathMax()} characters, but is ${socket.length}`,
    );
  }
}
