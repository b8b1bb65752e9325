/**
 * Port-forward rules (Lima's `pkg/hostagent/port.go`; defaults from `FillPortForwardDefaults`):
 * the effective rule list of an instance and the first-match decision for a listening socket the
 * guest agent reported.
 */
import { isIPv6 } from "node:net";
import type { LimaYAML, PortForward } from "../config/schema.ts";
import type { GuestListener, Proto } from "../guestagent/events.ts";

/** What to do with a guest listener. */
export type Decision =
  | {
    action: "forward";
    /** Where the host listens. */
    hostIP: string;
    hostPort: number;
    /** The rule that matched (its `hostSocket` is ignored for port listeners). */
    rule: PortForward;
  }
  /** A rule says `ignore: true`; QUIET when a leading full-range rule switched the protocol off. */
  | { action: "ignore"; quiet: boolean }
  /** No rule matched. */
  | { action: "none" };

/** The rules an instance applies, in evaluation order. */
export interface EffectiveRules {
  /** Built-in SSH ignores, then the instance's rules, then the default rule. */
  rules: PortForward[];
  /** Protocols that leading full-range `ignore` rules switched off entirely. */
  disabled: ReadonlySet<Proto>;
}

const SSH_GUEST_PORT = 22;

/** A rule that keeps SSH ports from being forwarded. */
function sshIgnore(port: number): PortForward {
  return {
    guestIP: "0.0.0.0",
    guestIPMustBeZero: false,
    guestPortRange: [port, port],
    hostIP: "127.0.0.1",
    hostPortRange: [port, port],
    proto: "any",
    ignore: true,
    reverse: false,
    static: false,
  };
}

/** The rule that applies when no other matched: loopback and wildcard listeners, same port. */
const DEFAULT_RULE: PortForward = {
  guestIP: "127.0.0.1",
  guestIPMustBeZero: false,
  guestPortRange: [1, 65535],
  hostIP: "127.0.0.1",
  hostPortRange: [1, 65535],
  proto: "any",
  ignore: false,
  reverse: false,
  static: false,
};

const isFullRange = (r: PortForward) =>
  r.guestPortRange?.[0] === 1 && r.guestPortRange?.[1] === 65535;

/**
 * The effective rules of a filled CONFIG (`fillDefaults` output: override.yaml rules first,
 * plain mode already reduced to static rules). SSH_LOCAL_PORT is the instance's host SSH port,
 * which is never forwarded from the guest either.
 */
export function effectiveRules(
  config: Pick<LimaYAML, "portForwards">,
  options: { sshLocalPort?: number } = {},
): EffectiveRules {
  const user = config.portForwards ?? [];
  const builtins = [sshIgnore(SSH_GUEST_PORT)];
  if (options.sshLocalPort && options.sshLocalPort !== SSH_GUEST_PORT) {
    builtins.push(sshIgnore(options.sshLocalPort));
  }
  const disabled = new Set<Proto>();
  for (const rule of user) {
    if (!rule.ignore || rule.guestSocket || !isFullRange(rule)) break;
    const proto = rule.proto || "any";
    if (proto === "tcp" || proto === "any") disabled.add("tcp");
    if (proto === "udp" || proto === "any") disabled.add("udp");
  }
  return { rules: [...builtins, ...user, DEFAULT_RULE], disabled };
}

/** The `guestSocket`/`hostSocket` rules (set up once the guest is ready, not per listener). */
export function socketRules(rules: EffectiveRules): PortForward[] {
  return rules.rules.filter((r) => r.guestSocket && r.hostSocket);
}

/** Rules forwarded at start regardless of guest-agent events. */
export function staticRules(rules: EffectiveRules): PortForward[] {
  return rules.rules.filter((r) => r.static && !r.ignore && !r.guestSocket);
}

/** Canonical text of an IP: IPv4-mapped IPv6 as IPv4, IPv6 lower-case and compressed. */
export function normalizeIP(ip: string): string {
  const text = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  if (!isIPv6(text)) return text;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) return mapped[1];
  // URL parsing yields RFC 5952 text for IPv6 hosts.
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

/** Whether IP is the IPv4 or IPv6 wildcard address. */
export function isUnspecified(ip: string): boolean {
  const n = normalizeIP(ip);
  return n === "0.0.0.0" || n === "::";
}

function addressMatches(listenerIP: string, rule: PortForward): boolean {
  const guestIP = normalizeIP(rule.guestIP ?? "127.0.0.1");
  if (isUnspecified(listenerIP)) return true;
  if (listenerIP === guestIP) return true;
  if (listenerIP === "::1" && guestIP === "127.0.0.1") return true;
  return isUnspecified(guestIP) && !rule.guestIPMustBeZero;
}

/** The first-match decision (Lima's `pkg/hostagent/port.go`) for LISTENER under RULES. */
export function decide(
  rules: EffectiveRules,
  listener: GuestListener,
): Decision {
  if (rules.disabled.has(listener.proto)) {
    return { action: "ignore", quiet: true };
  }
  const ip = normalizeIP(listener.ip);
  for (const rule of rules.rules) {
    if (rule.guestSocket) continue;
    const proto = rule.proto || "any";
    if (proto !== "any" && proto !== listener.proto) continue;
    const [first, last] = rule.guestPortRange ??
      [rule.guestPort ?? 0, rule.guestPort ?? 0];
    if (listener.port < first || listener.port > last) continue;
    if (!addressMatches(ip, rule)) continue;
    if (rule.ignore) {
      // A wildcard listener also serves addresses this rule does not name: keep looking.
      if (isUnspecified(ip) && !isUnspecified(rule.guestIP ?? "127.0.0.1")) {
        continue;
      }
      return { action: "ignore", quiet: false };
    }
    const hostFirst = rule.hostPortRange?.[0] ?? rule.hostPort ?? first;
    return {
      action: "forward",
      hostIP: rule.hostIP ?? "127.0.0.1",
      hostPort: listener.port - first + hostFirst,
      rule,
    };
  }
  return { action: "none" };
}

/** `ip:port`, with brackets around IPv6 addresses (Go's `net.JoinHostPort`). */
export function joinHostPort(ip: string, port: number): string {
  return `${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
}
