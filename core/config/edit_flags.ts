/**
 * The edit flags shared by `create`, `start`, `edit`, `clone`, `rename`: their values and
 * their translation into yq expressions applied to the instance's YAML (`cli/edit_flags.ts`
 * defines them on the command line).
 */
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { type Arch, ARCHS } from "./schema.ts";

/** The edit flags as parsed from the command line; a flag that was not given is `undefined`. */
export interface EditFlags {
  cpus?: number;
  dns?: string[];
  memory?: number;
  mount?: string[];
  mountOnly?: string[];
  mountNone?: boolean;
  mountType?: string;
  vmType?: string;
  mountInotify?: boolean;
  mountWritable?: boolean;
  network?: string[];
  nestedVirt?: boolean;
  rosetta?: boolean;
  set?: string[];
  param?: string[];
  video?: boolean;
  audioDevice?: string;
  audioInterface?: string;
  sshPort?: number;
  imageVariant?: string;
  archVariant?: string;
  arch?: string;
  containerd?: string;
  disk?: number;
  plain?: boolean;
  portForward?: string[];
  shell?: string;
}

/**
 * The schema's ARCHS in the order `--arch` help and errors list them (Lima's
 * `cmd/limactl/editflags/editflags.go`).
 */
export const ARCH_FLAG_ORDER = [
  "x86_64",
  "aarch64",
  "riscv64",
  "armv7l",
  "s390x",
  "ppc64le",
] as const satisfies readonly Arch[];

/** Go's `%q` for the strings that appear here (JSON escaping is the same for printable text). */
const q = (s: string) => JSON.stringify(s);

/**
 * Formats a float32 like Go's `%s`/`%v` of a pflag Float32 value: shortest digits that
 * round-trip, exponent form below 1e-4 or from 1e6 on (`1e+06`).
 */
export function formatFloat32(value: number): string {
  const f = Math.fround(value);
  if (f === 0) return "0";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : f < 0 ? "-Inf" : "NaN";
  let repr = "";
  for (let p = 1; p <= 9; p++) {
    repr = f.toPrecision(p);
    if (Math.fround(Number(repr)) === f) break;
  }
  const [mantissa, expPart] = Number(repr).toExponential().split("e");
  const exp = Number(expPart);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
  }
  return String(Number(repr));
}

/** Expands `~` and `~/…` and makes the path absolute, as Lima does for `--mount`. */
function expandPath(orig: string): string {
  if (orig === "") throw new Error("empty path");
  let s = orig;
  if (s.startsWith("~")) {
    if (s !== "~" && !s.startsWith("~/")) {
      throw new Error(`unexpandable path ${quote(orig)}`);
    }
    const home = Deno.env.get("HOME");
    if (!home) throw new Error("$HOME is not defined");
    s = home + s.slice(1);
  }
  if (!s.startsWith("/")) s = `${Deno.cwd()}/${s}`;
  const parts: string[] = [];
  for (const part of s.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

function mountList(specs: string[]): string {
  const entries = specs.map((s) => {
    const writable = s.endsWith(":w");
    const location = expandPath(writable ? s.slice(0, -2) : s);
    return `{"location": ${q(location)}, "mountPoint": ${
      q(location)
    }, "writable": ${writable}}`;
  });
  return `[${entries.join(",")}]`;
}

/** Go's `net.IP.String()` of a valid address, or an error for anything else. */
function canonicalIP(value: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (v4) {
    const octets = v4.slice(1).map((
      o,
    ) => (o.length > 1 && o.startsWith("0") ? NaN : Number(o)));
    if (octets.every((o) => o >= 0 && o <= 255)) return octets.join(".");
  } else if (value.includes(":") && !/[\[\]\/%]/.test(value)) {
    try {
      const host = new URL(`http://[${value}]/`).hostname;
      return host.slice(1, -1);
    } catch {
      // fall through to the error
    }
  }
  throw new Error(`invalid string being converted to IP address: ${value}`);
}

/**
 * Parses `HOST:GUEST` or `HOST:GUEST,static=BOOL` (Lima's `ParsePortForward`). The ports
 * are checked here, not left to the YAML decoder, so the error names the flag's value.
 */
export function parsePortForward(
  spec: string,
): { hostPort: number; guestPort: number; isStatic: boolean } {
  const parts = spec.split(",");
  if (parts.length > 2) {
    throw new Error(
      `invalid port forward format ${
        quote(spec)
      }, expected HOST:GUEST or HOST:GUEST,static=true`,
    );
  }
  const ports = parts[0].trim().split(":");
  if (ports.length !== 2) {
    throw new Error(
      `invalid port forward format ${quote(parts[0])}, expected HOST:GUEST`,
    );
  }
  let isStatic = false;
  if (parts.length === 2) {
    const staticPart = parts[1].trim();
    if (!staticPart.startsWith("static=")) {
      throw new Error(
        `invalid parameter ${
          quote(staticPart)
        }, expected \`static=\` followed by a boolean value`,
      );
    }
    const raw = staticPart.slice("static=".length);
    const parsed = parseGoBool(raw);
    if (parsed === undefined) {
      throw new Error(`invalid value for static parameter: ${quote(raw)}`);
    }
    isStatic = parsed;
  }
  return {
    hostPort: parsePort("host", ports[0].trim(), spec),
    guestPort: parsePort("guest", ports[1].trim(), spec),
    isStatic,
  };
}

/** A decimal port number from 0 to 65535; WHICH ("host" or "guest") names it in the error. */
function parsePort(which: string, value: string, spec: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65535)) {
    throw new Error(
      `invalid ${which} port ${quote(value)} in ${
        quote(spec)
      }, expected an integer from 0 to 65535`,
    );
  }
  return port;
}

/** Go's `strconv.ParseBool`. */
function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

type Builder = (
  flags: EditFlags,
  options: { declaredParams: string[] },
) => string[];

interface FlagDef {
  /** The command-line name, without `--`. */
  name: string;
  key: keyof EditFlags;
  build: Builder;
  newOnly?: boolean;
  experimental?: boolean;
}

const scalar =
  (key: keyof EditFlags, format: (v: never) => string): Builder => (flags) => [
    format(flags[key] as never),
  ];

// Lima's order of expression generation (`cmd/limactl/editflags/editflags.go`).
const DEFS: FlagDef[] = [
  {
    name: "cpus",
    key: "cpus",
    build: ({ cpus }) => {
      if (!Number.isInteger(cpus) || cpus! < 0) {
        throw new Error("invalid value for number of cpus, must be >= 0");
      }
      return [`.cpus = ${cpus}`];
    },
  },
  {
    name: "dns",
    key: "dns",
    build: ({ dns }) => {
      const ips = dns!.map(canonicalIP);
      logger.warn(
        `Disabling HostResolver, as custom DNS addresses ([${
          ips.join(" ")
        }]) are specified`,
      );
      return [
        `.dns += [${
          ips.map(q).join(",")
        }] | .dns |= unique | .hostResolver.enabled=false`,
      ];
    },
  },
  {
    name: "memory",
    key: "memory",
    build: scalar(
      "memory",
      (v: number) => `.memory = "${formatFloat32(v)}GiB"`,
    ),
  },
  {
    name: "mount",
    key: "mount",
    build: ({ mount, mountOnly }) => {
      // Prepended as a block, so the first flag ends up first after reversing.
      const expr = `.mounts = ${mountList([...mount!].reverse())} + .mounts`;
      if (mountOnly?.length) {
        throw new Error("flag `--mount` conflicts with `--mount-only`");
      }
      return [expr];
    },
  },
  {
    name: "mount-only",
    key: "mountOnly",
    build: ({ mountOnly }) => [`.mounts = ${mountList(mountOnly!)}`],
  },
  {
    name: "mount-none",
    key: "mountNone",
    build: ({ mount, mountOnly, mountNone }) => {
      if (mount?.length) {
        throw new Error("flag `--mount-none` conflicts with `mount`");
      }
      if (mountOnly?.length) {
        throw new Error("flag `--mount-none` conflicts with `mount-only`");
      }
      return mountNone ? [".mounts = null"] : [];
    },
  },
  {
    name: "mount-type",
    key: "mountType",
    build: scalar("mountType", (v: string) => `.mountType = ${q(v)}`),
  },
  {
    name: "vm-type",
    key: "vmType",
    build: scalar("vmType", (v: string) => `.vmType = ${q(v)}`),
  },
  {
    name: "mount-inotify",
    key: "mountInotify",
    experimental: true,
    build: scalar("mountInotify", (v: boolean) => `.mountInotify = ${v}`),
  },
  {
    name: "mount-writable",
    key: "mountWritable",
    build: scalar("mountWritable", (v: boolean) => `.mounts[].writable = ${v}`),
  },
  {
    name: "network",
    key: "network",
    build: ({ network }) => {
      const entries = network!.map((s) => {
        if (s === "vzNAT") return `{"vzNAT": true}`;
        if (s.startsWith("lima:")) {
          return `{"lima": ${q(s.slice("lima:".length))}}`;
        }
        throw new Error(
          `network name must be \`vzNAT\` or \`lima:*\`, got ${quote(s)}`,
        );
      });
      return [
        `.networks += [${entries.join(",")}] | .networks |= unique_by(.lima)`,
      ];
    },
  },
  {
    name: "nested-virt",
    key: "nestedVirt",
    build: scalar("nestedVirt", (v: boolean) => `.nestedVirtualization = ${v}`),
  },
  {
    name: "rosetta",
    key: "rosetta",
    build: scalar(
      "rosetta",
      (v: boolean) =>
        `.vmOpts.vz.rosetta.enabled = ${v} | .vmOpts.vz.rosetta.binfmt = ${v}`,
    ),
  },
  { name: "set", key: "set", build: ({ set }) => [...set!] },
  {
    name: "param",
    key: "param",
    build: ({ param }, { declaredParams }) =>
      param!.map((p) => {
        const eq = p.indexOf("=");
        if (eq < 0) {
          throw new Error(`invalid parameter ${quote(p)}, expected NAME=VALUE`);
        }
        const key = p.slice(0, eq);
        if (!declaredParams.includes(key)) {
          throw new Error(`template does not define param ${quote(key)}`);
        }
        return `.param[${q(key)}] = ${q(p.slice(eq + 1))}`;
      }),
  },
  {
    name: "video",
    key: "video",
    build: scalar(
      "video",
      (v: boolean) => `.video.display = ${v ? '"default"' : '"none"'}`,
    ),
  },
  {
    name: "audio-device",
    key: "audioDevice",
    newOnly: true,
    experimental: true,
    build: scalar("audioDevice", (v: string) => `.audio.device = ${q(v)}`),
  },
  {
    name: "audio-interface",
    key: "audioInterface",
    newOnly: true,
    experimental: true,
    build: scalar(
      "audioInterface",
      (v: string) => `.audio.interface = ${q(v)}`,
    ),
  },
  {
    name: "ssh-port",
    key: "sshPort",
    build: ({ sshPort }) => {
      if (!Number.isInteger(sshPort) || sshPort! < 0 || sshPort! > 65535) {
        throw new Error(
          `invalid SSH port ${sshPort}, must be between 0 and 65535`,
        );
      }
      return [`.ssh.localPort = ${sshPort}`];
    },
  },
  {
    name: "image-variant",
    key: "imageVariant",
    newOnly: true,
    build: ({ imageVariant }) => {
      if (!imageVariant) throw new Error("`--image-variant` must not be empty");
      return [`.images = [.images[] | select(.variant == ${q(imageVariant)})]`];
    },
  },
  {
    name: "arch-variant",
    key: "archVariant",
    newOnly: true,
    build: ({ archVariant }) => {
      if (!archVariant) throw new Error("`--arch-variant` must not be empty");
      return [
        `.images = [.images[] | select(.archVariant == ${q(archVariant)})]`,
      ];
    },
  },
  {
    name: "arch",
    key: "arch",
    newOnly: true,
    build: ({ arch }) => {
      if (
        !(ARCHS as readonly string[]).includes(arch!) && arch !== "default"
      ) {
        throw new Error(
          `expected one of [${
            ARCH_FLAG_ORDER.map((a) => quote(a)).join(", ")
          }], got ${quote(arch!)}`,
        );
      }
      return [`.arch = ${q(arch!)}`];
    },
  },
  {
    name: "containerd",
    key: "containerd",
    newOnly: true,
    build: ({ containerd }) => {
      const modes: Record<string, [boolean, boolean]> = {
        user: [true, false],
        system: [false, true],
        "user+system": [true, true],
        "system+user": [true, true],
        none: [false, false],
      };
      const mode = modes[containerd!];
      if (!mode) {
        throw new Error(
          `expected one of [\`user\`, \`system\`, \`user+system\`, \`none\`], got ${
            quote(containerd!)
          }`,
        );
      }
      return [
        `.containerd.user = ${mode[0]} | .containerd.system = ${mode[1]}`,
      ];
    },
  },
  {
    name: "disk",
    key: "disk",
    build: scalar("disk", (v: number) => `.disk= "${formatFloat32(v)}GiB"`),
  },
  {
    name: "plain",
    key: "plain",
    newOnly: true,
    build: scalar("plain", (v: boolean) => `.plain = ${v}`),
  },
  {
    name: "port-forward",
    key: "portForward",
    newOnly: true,
    build: ({ portForward }) => {
      if (!portForward!.length) return [];
      const entries = portForward!.map((spec) => {
        const { hostPort, guestPort, isStatic } = parsePortForward(spec);
        // Numbers, not Lima's quoted strings: the schema wants integers.
        return `{"guestPort": ${guestPort}, "hostPort": ${hostPort}, "static": ${isStatic}}`;
      });
      return [`.portForwards += [${entries.join(",")}]`];
    },
  },
  {
    name: "shell",
    key: "shell",
    build: scalar("shell", (v: string) => `.user.shell = ${q(v)}`),
  },
];

/** How a flag value is shown in the "not applicable" hint (pflag's `Value.String()`). */
function flagValueString(value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(",")}]`;
  if (typeof value === "number") return formatFloat32(value);
  return String(value);
}

/**
 * Builds the yq expressions for the flags given, in Lima's order (`editflags.go`); `isNew` false
 * ignores new-only flags with a warning. Validates values with Lima's messages, e.g.
 * "error while processing flag `param`: template does not define param `missing`".
 */
export function editFlagExpressions(
  flags: EditFlags,
  options: { isNew: boolean; declaredParams?: string[] },
): string[] {
  const exprs: string[] = [];
  for (const def of DEFS) {
    const value = flags[def.key];
    if (value === undefined) continue;
    if (def.experimental) logger.warn(`\`--${def.name}\` is experimental`);
    if (def.newOnly && !options.isNew) {
      logger.warn(
        `\`--${def.name}\` is not applicable to an existing instance (Hint: create a new instance with \`limactl create --${def.name}=${
          flagValueString(value)
        } --name=NAME\`)`,
      );
      continue;
    }
    try {
      exprs.push(
        ...def.build(flags, { declaredParams: options.declaredParams ?? [] }),
      );
    } catch (err) {
      throw new LimaError({
        summary: `error while processing flag ${quote(def.name)}`,
        detail: err instanceof Error ? err.message : String(err),
      }, { cause: err });
    }
  }
  return exprs;
}
