/**
 * Validation of a filled lima.yaml (Lima's `pkg/limayaml/validate.go`): every problem is
 * collected and reported at once, each naming the field path and what was expected.
 */
import { isAbsolute, posix } from "node:path";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { identifierProblem, unixPathMax } from "../store/names.ts";
import { VERSION } from "../version.ts";
import { paramProblems } from "./params.ts";
import {
  ARCHS,
  type LimaYAML,
  MOUNT_TYPES,
  OSES,
  PROTOS,
  PROVISION_MODES,
} from "./schema.ts";
import { compareVersions, parseSemver } from "./semver.ts";
import { parseSize } from "./units.ts";

export interface ValidateOptions {
  /** Names the file in the error. */
  file?: string;
  /** Registered driver names; default `qemu`, `vz`, `wsl2`, `netbsd-qemu`. */
  vmTypes?: string[];
  /** Receives warnings (experimental features, missing mount directories); defaults to the logger. */
  warn?: (msg: string) => void;
  /** Networks of `_config/networks.yaml` by name → mode; `networks[i].lima` is checked against it when given. */
  networkModes?: Record<string, string>;
  /** The host OS (defaults to the running one). */
  hostOS?: typeof Deno.build.os;
}

/** One problem found by validation. */
export interface Problem {
  /** The field path, e.g. `mounts[1].mountPoint`. */
  path: string;
  message: string;
}

/** Thrown by `validateLimaYAML`; the message lists every problem, one per line. */
export class ValidationError extends LimaError {
  constructor(readonly problems: Problem[], file?: string) {
    super({ file, summary: problems.map((p) => p.message).join("\n") });
    this.name = "ValidationError";
  }
}

export const DEFAULT_VM_TYPES = ["qemu", "vz", "wsl2", "netbsd-qemu"];

/** Guest paths that must not be mount points. */
const RESERVED_MOUNT_POINTS = [
  "/",
  "/bin",
  "/dev",
  "/etc",
  "/home",
  "/opt",
  "/sbin",
  "/tmp",
  "/usr",
  "/var",
];
const WINDOWS_SHELLS = ["cmd.exe", "powershell.exe", "pwsh.exe"];
const TPM_ARCHS = ["x86_64", "aarch64", "armv7l", "riscv64"];
const SFTP_DRIVERS = ["", "builtin", "openssh-sftp-server"];
const NINEP_SECURITY_MODELS = [
  "passthrough",
  "mapped-xattr",
  "mapped-file",
  "none",
];
const NINEP_PROTOCOL_VERSIONS = ["9p2000", "9p2000.u", "9p2000.L"];
const NINEP_CACHES = ["none", "loose", "fscache", "mmap"];
const YQ_FORMATS = [
  "auto",
  "csv",
  "ini",
  "json",
  "props",
  "tsv",
  "toml",
  "xml",
  "yaml",
];
const DIGEST_LENGTHS: Record<string, number> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

const list = (values: readonly string[]) => `[${values.join(" ")}]`;
const quotedList = (values: readonly string[]) =>
  values.map((v) => quote(v)).join(", ");

/** Throws a `ValidationError` listing every problem of the filled config Y. */
export function validateLimaYAML(
  y: LimaYAML,
  options: ValidateOptions = {},
): void {
  const problems = limaYAMLProblems(y, options);
  if (problems.length > 0) throw new ValidationError(problems, options.file);
}

/** Every problem of the filled config Y (empty when it is valid). */
export function limaYAMLProblems(
  y: LimaYAML,
  options: ValidateOptions = {},
): Problem[] {
  const problems: Problem[] = [];
  const warn = options.warn ?? ((msg: string) => logger.warn(msg));
  const hostOS = options.hostOS ?? Deno.build.os;
  const vmTypes = options.vmTypes ?? DEFAULT_VM_TYPES;
  const fail = (path: string, message: string) =>
    problems.push({ path, message });
  const field = (path: string) => `field \`${path}\``;

  const base = y.base;
  if (
    base != null && (!Array.isArray(base) || base.length > 0) && base !== ""
  ) {
    fail("base", "field `base` must be empty for YAML validation");
  }

  if (y.minimumLimaVersion) {
    if (!parseSemver(y.minimumLimaVersion)) {
      fail(
        "minimumLimaVersion",
        `${
          field("minimumLimaVersion")
        } must be a semver value such as "2.0.0", got ${
          quote(y.minimumLimaVersion)
        }`,
      );
    } else if (compareVersions(VERSION, y.minimumLimaVersion) === -1) {
      fail(
        "minimumLimaVersion",
        `template requires Lima version ${
          quote(y.minimumLimaVersion)
        }; this is only ${quote(VERSION)}`,
      );
    }
  }
  const qemuMinimum = y.vmOpts?.qemu?.minimumVersion;
  if (qemuMinimum && !parseSemver(qemuMinimum)) {
    fail(
      "vmOpts.qemu.minimumVersion",
      `${
        field("vmOpts.qemu.minimumVersion")
      } must be a semver value such as "8.2.0", got ${quote(qemuMinimum)}`,
    );
  }
  const diskImageFormat = y.vmOpts?.vz?.diskImageFormat;
  if (diskImageFormat && !["raw", "asif"].includes(diskImageFormat)) {
    fail(
      "vmOpts.vz.diskImageFormat",
      `${field("vmOpts.vz.diskImageFormat")} must be "raw" or "asif", got ${
        quote(diskImageFormat)
      }`,
    );
  }

  const os = y.os ?? "Linux";
  const arch = y.arch ?? "";
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
  } else if (["riscv64", "armv7l", "s390x", "ppc64le"].includes(arch)) {
    warn(`\`arch: ${arch}\` is experimental`);
  }
  if (y.vmType != null && !vmTypes.includes(y.vmType)) {
    fail(
      "vmType",
      `vmType ${JSON.stringify(y.vmType)} is not a registered driver (known: ${
        vmTypes.join(", ")
      })`,
    );
  }
  if (os === "Windows") {
    warn("`os: Windows` is experimental");
    if (y.vmType !== "qemu") {
      fail(
        "vmType",
        `currently Windows guest is only supported on \`qemu\`; got ${
          quote(y.vmType ?? "")
        }`,
      );
    }
    if (arch !== "x86_64" && arch !== "aarch64") {
      fail(
        "arch",
        `currently Windows guest is only supported on [\`x86_64\`, \`aarch64\`]; got ${
          quote(arch)
        }`,
      );
    }
  }

  const shell = y.user?.shell;
  if (shell != null) {
    if (os === "Windows") {
      const name = shell.slice(
        Math.max(shell.lastIndexOf("/"), shell.lastIndexOf("\\")) + 1,
      ).toLowerCase();
      if (!WINDOWS_SHELLS.includes(name)) {
        fail(
          "user.shell",
          `${field("user.shell")} must be one of ${
            list(WINDOWS_SHELLS)
          } for Windows guest, got ${quote(shell)}`,
        );
      }
    } else if (!posix.isAbsolute(shell)) {
      fail(
        "user.shell",
        `${field("user.shell")} must be an absolute path, got ${quote(shell)}`,
      );
    }
  }
  if (y.user?.uid != null && (y.user.uid < 0 || y.user.uid > 0xffffffff)) {
    fail(
      "user.uid",
      `${
        field("user.uid")
      } must be between 0 and 4294967295, got ${y.user.uid}`,
    );
  }
  const sudo = y.user?.passwordlessSudo;
  if (os === "Darwin" && sudo === true) {
    fail(
      "user.passwordlessSudo",
      "`user.passwordlessSudo: true` is not supported on macOS guests",
    );
  }
  if (y.vmType === "wsl2" && sudo === false) {
    fail(
      "user.passwordlessSudo",
      "`user.passwordlessSudo: false` is not supported on WSL2 guest",
    );
  }
  if (os !== "Darwin" && sudo === false) {
    if (!y.plain) {
      fail(
        "user.passwordlessSudo",
        "`user.passwordlessSudo: false` requires `plain: true`",
      );
    } else warn("`user.passwordlessSudo: false` is experimental");
  }

  // Images and other downloadable files.
  const checkFile = (
    path: string,
    f: {
      location?: string | null;
      arch?: string | null;
      digest?: string | null;
    },
  ) => {
    const location = f.location ?? "";
    if (location === "") {
      fail(`${path}.location`, `${field(`${path}.location`)} must be set`);
    } else if (
      !location.includes("://") && location.startsWith("~") &&
      !/^~(\/|$)/.test(location)
    ) {
      fail(
        `${path}.location`,
        `${field(`${path}.location`)} refers to an invalid local file path: ${
          quote(location)
        }: only \`~\` and \`~/…\` can be expanded`,
      );
    }
    const fileArch = f.arch ?? "";
    if (!(ARCHS as readonly string[]).includes(fileArch)) {
      fail(
        `${path}.arch`,
        `${field(`${path}.arch`)} must be one of ${list(ARCHS)}; got ${
          quote(fileArch)
        }`,
      );
    }
    if (f.digest) {
      const problem = digestProblem(f.digest);
      if (problem) {
        fail(
          `${path}.digest`,
          `${field(`${path}.digest`)} is invalid: ${f.digest}: ${problem}`,
        );
      }
    }
  };
  if (!y.images?.length) fail("images", "field `images` must be set");
  y.images?.forEach((image, i) => {
    checkFile(`images[${i}]`, image);
    for (const part of ["kernel", "initrd"] as const) {
      const f = image[part];
      if (!f) continue;
      checkFile(`images[${i}].${part}`, f);
      if (f.arch && image.arch && f.arch !== image.arch) {
        fail(
          `images[${i}].${part}.arch`,
          `images[${i}].${part} has unexpected architecture ${
            quote(f.arch)
          }, must be ${quote(image.arch)}`,
        );
      }
    }
  });
  y.firmware?.images?.forEach((f, i) => checkFile(`firmware.images[${i}]`, f));
  y.osOpts?.Windows?.virtioWin?.forEach((f, i) =>
    checkFile(`osOpts.Windows.virtioWin[${i}]`, f)
  );

  if (y.cpus == null || y.cpus === 0) fail("cpus", "field `cpus` must be set");
  else if (y.cpus < 0) {
    fail(
      "cpus",
      `${field("cpus")} must be a positive number of CPUs, got ${y.cpus}`,
    );
  }

  for (const key of ["memory", "disk"] as const) {
    const value = y[key];
    if (value == null) {
      fail(key, `${field(key)} must be set`);
      continue;
    }
    try {
      if (parseSize(value) === 0) {
        fail(key, `${field(key)} must be greater than 0, got ${quote(value)}`);
      }
    } catch (err) {
      fail(
        key,
        `${field(key)} has an invalid value: ${
          (err as Error).message
        } (expected a size such as "4GiB")`,
      );
    }
  }

  const diskNames = new Map<string, number>();
  y.additionalDisks?.forEach((entry, i) => {
    const name = typeof entry === "string" ? entry : entry.name ?? "";
    const path = `additionalDisks[${i}].name`;
    const problem = identifierProblem(name);
    if (problem) fail(path, `${field(path)} is invalid: ${problem}`);
    const earlier = diskNames.get(name);
    if (earlier !== undefined) {
      fail(
        path,
        `${field(path)} value ${
          quote(name)
        } has already been used by field \`additionalDisks[${earlier}].name\``,
      );
    } else diskNames.set(name, i);
  });

  checkMounts();

  const mountType = y.mountType;
  if (
    mountType != null && mountType !== "" &&
    !(mountType === "default" && y.vmType === "qemu")
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

  const localPort = y.ssh?.localPort;
  if (localPort) checkPort("ssh.localPort", localPort);

  checkProvision();

  if (
    (y.containerd?.system || y.containerd?.user) &&
    !y.containerd.archives?.length
  ) {
    fail("containerd.archives", "field `containerd.archives` must be provided");
  }
  y.containerd?.archives?.forEach((f, i) =>
    checkFile(`containerd.archives[${i}]`, f)
  );

  y.probes?.forEach((probe, i) => {
    const path = `probes[${i}]`;
    checkFileRef(path, probe.file, "script");
    if (!(probe.script ?? "").startsWith("#!")) {
      fail(
        `${path}.script`,
        `${field(`${path}.script`)} must start with a '#!' line`,
      );
    }
    if (probe.mode != null && probe.mode !== "readiness") {
      fail(
        `${path}.mode`,
        `${field(`${path}.mode`)} can only be \`readiness\`, got ${
          quote(probe.mode)
        }`,
      );
    }
  });

  checkPortForwards();

  y.copyToHost?.forEach((rule, i) => {
    const path = `CopyToHost[${i}]`;
    if (rule.guest && !posix.isAbsolute(rule.guest)) {
      fail(
        `${path}.guest`,
        `${field(`${path}.guest`)} must be an absolute path, but is ${
          quote(rule.guest)
        }`,
      );
    }
    if (rule.host && !isAbsolute(rule.host)) {
      fail(
        `${path}.host`,
        `${field(`${path}.host`)} must be an absolute path, but is ${
          quote(rule.host)
        }`,
      );
    }
  });

  if (y.hostResolver?.enabled !== false && (y.dns?.length ?? 0) > 0) {
    fail(
      "dns",
      "field `dns` must be empty when field `HostResolver.Enabled` is true",
    );
  }
  y.dns?.forEach((server, i) => {
    if (!isIP(server)) {
      fail(
        `dns[${i}]`,
        `${field(`dns[${i}]`)} must be an IP address, got ${quote(server)}`,
      );
    }
  });

  checkNetworks();

  for (const message of paramProblems(y.param)) fail("param", message);
  if (Object.keys(y.param ?? {}).length > 0 && sudo === false) {
    warn(
      "`param` still relies on sudo internally, it may not work as expected when `user.passwordlessSudo: false` is set",
    );
  }

  if (y.timezone && !/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(y.timezone)) {
    fail(
      "timezone",
      `${
        field("timezone")
      } must be a zone name such as "Europe/Berlin" or "", got ${
        quote(y.timezone)
      }`,
    );
  }

  if (y.tpm && !TPM_ARCHS.includes(arch)) {
    fail(
      "tpm",
      `field \`tpm\` is not supported on architecture ${quote(arch)}`,
    );
  }
  const audioInterface = y.audio?.interface;
  if (
    audioInterface && audioInterface !== "hda" && audioInterface !== "virtio"
  ) {
    fail(
      "audio.interface",
      `invalid audio.interface ${
        JSON.stringify(audioInterface)
      }, must be "hda" or "virtio"`,
    );
  }
  if (y.audio?.device) warn("`audio.device` is experimental");
  if (y.video?.display === "vnc") warn("`video.display: vnc` is experimental");

  return problems;

  function checkPort(path: string, port: number) {
    if (port < 0) fail(path, `${field(path)} must be > 0, got ${port}`);
    else if (port === 0) fail(path, `${field(path)} must be set`);
    else if (port === 22) fail(path, `${field(path)} must not be 22`);
    else if (port > 65535) {
      fail(path, `${field(path)} must be < 65536, got ${port}`);
    }
  }

  function checkFileRef(path: string, file: unknown, embedInto: string) {
    if (file == null) return;
    const ref = typeof file === "string"
      ? { url: file, digest: undefined }
      : file as { url?: string; digest?: string };
    if (ref.url) {
      fail(
        `${path}.file.url`,
        `${
          field(`${path}.file.url`)
        } must be empty during validation (${embedInto} should already be embedded)`,
      );
    }
    if (ref.digest) {
      fail(
        `${path}.file.digest`,
        `${field(`${path}.file.digest`)} support is not yet implemented`,
      );
    }
  }

  function checkMounts() {
    const seen = new Map<string, number>();
    const home = y.user?.home;
    y.mounts?.forEach((m, i) => {
      const path = `mounts[${i}]`;
      const location = m.location ?? "";
      if (!isAbsolute(location)) {
        fail(
          `${path}.location`,
          `${field(`${path}.location`)} must be an absolute path, got ${
            quote(location)
          }`,
        );
      } else {
        try {
          if (!Deno.statSync(location).isDirectory) {
            fail(
              `${path}.location`,
              `${field(`${path}.location`)} refers to a non-directory path: ${
                quote(location)
              }`,
            );
          }
        } catch (err) {
          if (err instanceof Deno.errors.NotFound) {
            warn(
              `field \`${path}.location\` refers to a non-existent directory: ${
                quote(location)
              }`,
            );
          } else {
            fail(
              `${path}.location`,
              `${field(`${path}.location`)} refers to an inaccessible path: ${
                quote(location)
              }: ${(err as Error).message}`,
            );
          }
        }
      }
      const mountPoint = m.mountPoint ?? location;
      const mp = `${path}.mountPoint`;
      if (mountPoint.startsWith("~")) {
        fail(mp, `${field(mp)} must not start with \`~\``);
      } else if (hostOS !== "windows" && !posix.isAbsolute(mountPoint)) {
        fail(
          mp,
          `${field(mp)} must be an absolute path, got ${quote(mountPoint)}`,
        );
      } else if (
        RESERVED_MOUNT_POINTS.includes(
          posix.normalize(mountPoint).replace(/(.)\/$/, "$1"),
        )
      ) {
        fail(
          mp,
          `${field(mp)} must not be a system path such as /etc or /usr, got ${
            quote(mountPoint)
          }`,
        );
      } else if (
        home && posix.normalize(mountPoint) === posix.normalize(home)
      ) {
        fail(
          mp,
          `${field(mp)} is the reserved internal home directory ${quote(home)}`,
        );
      }
      const earlier = seen.get(mountPoint);
      if (earlier !== undefined) {
        fail(
          mp,
          `${field(mp)} value ${
            quote(mountPoint)
          } has already been used by field \`mounts[${earlier}].mountPoint\``,
        );
      } else seen.set(mountPoint, i);

      const sftp = m.sshfs?.sftpDriver;
      if (sftp != null && !SFTP_DRIVERS.includes(sftp)) {
        fail(
          `${path}.sshfs.sftpDriver`,
          `${
            field(`${path}.sshfs.sftpDriver`)
          } must be "", "builtin" or "openssh-sftp-server", got ${quote(sftp)}`,
        );
      }
      const ninep = m["9p"];
      const enumCheck = (
        key: "securityModel" | "protocolVersion" | "cache",
        allowed: string[],
      ) => {
        const value = ninep?.[key];
        if (value != null && !allowed.includes(value)) {
          const p = `${path}.9p.${key}`;
          fail(
            p,
            `${field(p)} must be one of ${quotedList(allowed)}, got ${
              quote(value)
            }`,
          );
        }
      };
      enumCheck("securityModel", NINEP_SECURITY_MODELS);
      enumCheck("protocolVersion", NINEP_PROTOCOL_VERSIONS);
      enumCheck("cache", NINEP_CACHES);
      if (ninep?.msize != null) {
        try {
          if (parseSize(ninep.msize) < 4096) {
            fail(
              `${path}.9p.msize`,
              `field \`msize\` has an invalid value: ${
                quote(ninep.msize)
              } is less than the minimum of 4KiB`,
            );
          }
        } catch (err) {
          fail(
            `${path}.9p.msize`,
            `field \`msize\` has an invalid value: ${(err as Error).message}`,
          );
        }
      }
      const queueSize = m.virtiofs?.queueSize;
      if (queueSize != null) {
        if (queueSize <= 0) {
          fail(
            `${path}.virtiofs.queueSize`,
            `${
              field(`${path}.virtiofs.queueSize`)
            } must be a positive integer, got ${queueSize}`,
          );
        } else if (hostOS !== "linux") {
          warn(`field ${path}.virtiofs.queueSize is only supported on Linux`);
        }
      }
    });
  }

  function checkProvision() {
    y.provision?.forEach((p, i) => {
      const path = `provision[${i}]`;
      const f = (name: string) => field(`${path}.${name}`);
      const mode = p.mode ?? "system";
      checkFileRef(
        path,
        p.file,
        mode === "data" ? "content" : mode === "yq" ? "expression" : "script",
      );
      if (!(PROVISION_MODES as readonly string[]).includes(mode)) {
        fail(
          `${path}.mode`,
          `${f("mode")} must be one of ${quotedList(PROVISION_MODES)}, got ${
            quote(mode)
          }`,
        );
        return;
      }
      if (p.skipDefaultDependencyResolution != null && mode !== "dependency") {
        fail(
          `${path}.skipDefaultDependencyResolution`,
          `${
            f("skipDefaultDependencyResolution")
          } can only be set when mode is "dependency"`,
        );
      }
      if (os === "Windows" && ["ansible", "boot", "yq"].includes(mode)) {
        fail(
          `${path}.mode`,
          `provision mode ${quote(mode)} is not supported on Windows VM`,
        );
      }
      const onlyFor = (name: keyof typeof p, modes: string[]) => {
        if (p[name] != null && !modes.includes(mode)) {
          fail(
            `${path}.${name}`,
            `${f(name)} can only be set when mode is ${
              modes.map((m) => JSON.stringify(m)).join(" or ")
            }`,
          );
        }
      };
      onlyFor("content", ["data"]);
      onlyFor("overwrite", ["data"]);
      onlyFor("owner", ["data", "yq"]);
      onlyFor("path", ["data", "yq"]);
      onlyFor("permissions", ["data", "yq"]);
      onlyFor("expression", ["yq"]);
      onlyFor("format", ["yq"]);
      onlyFor("playbook", ["ansible"]);
      if (mode === "data" || mode === "yq") {
        if (!p.path) {
          fail(
            `${path}.path`,
            `${f("path")} must not be empty when mode is ${
              JSON.stringify(mode)
            }`,
          );
        } else if (!posix.isAbsolute(p.path)) {
          fail(
            `${path}.path`,
            `${f("path")} must be an absolute path, got ${quote(p.path)}`,
          );
        }
        if (mode === "data" && p.content == null) {
          fail(
            `${path}.content`,
            `${f("content")} must not be empty when mode is "data"`,
          );
        }
        if (mode === "yq" && !p.expression) {
          fail(
            `${path}.expression`,
            `${f("expression")} must not be empty when mode is "yq"`,
          );
        }
        if (
          mode === "yq" && p.format != null && !YQ_FORMATS.includes(p.format)
        ) {
          fail(
            `${path}.format`,
            `${f("format")} must be one of ${quotedList(YQ_FORMATS)}, got ${
              quote(p.format)
            }`,
          );
        }
        if (p.permissions != null && !/^[0-7]+$/.test(p.permissions)) {
          fail(
            `${path}.permissions`,
            `${f("permissions")} must be an octal number, got ${
              quote(p.permissions)
            }`,
          );
        }
        if (p.script) {
          fail(
            `${path}.script`,
            `${f("script")} can only be set when mode is not ${
              JSON.stringify(mode)
            }`,
          );
        }
      } else if (mode === "ansible") {
        if (p.script) {
          fail(
            `${path}.script`,
            `${f("script")} must be empty if playbook is set`,
          );
        }
        if (!p.playbook) {
          fail(
            `${path}.playbook`,
            `${f("playbook")} must be set when mode is "ansible"`,
          );
        } else {
          try {
            Deno.statSync(p.playbook);
          } catch (err) {
            fail(
              `${path}.playbook`,
              `${f("playbook")} refers to an inaccessible path: ${
                quote(p.playbook)
              }: ${(err as Error).message}`,
            );
          }
          warn(
            `provision mode \`ansible\` is deprecated, use \`ansible-playbook ${p.playbook}\` instead`,
          );
        }
      } else if (!p.script) {
        fail(`${path}.script`, `${f("script")} must not be empty`);
      }
      if (
        [p.script, p.content, p.expression].some((text) =>
          text?.includes("LIMA_CIDATA")
        )
      ) {
        warn(
          "provisioning scripts should not reference the LIMA_CIDATA variables",
        );
      }
    });
  }

  function checkPortForwards() {
    y.portForwards?.forEach((rule, i) => {
      const path = `portForwards[${i}]`;
      const f = (name: string) => field(`${path}.${name}`);
      const guestRange = rule.guestPortRange ??
        [rule.guestPort ?? 0, rule.guestPort ?? 0];
      const hostRange = rule.hostPortRange ??
        [rule.hostPort ?? 0, rule.hostPort ?? 0];
      if (rule.guestIP != null && !isIP(rule.guestIP)) {
        fail(
          `${path}.guestIP`,
          `${f("guestIP")} must be an IP address, got ${quote(rule.guestIP)}`,
        );
      }
      if (rule.hostIP != null && !isIP(rule.hostIP)) {
        fail(
          `${path}.hostIP`,
          `${f("hostIP")} must be an IP address, got ${quote(rule.hostIP)}`,
        );
      }
      if (rule.guestIPMustBeZero && rule.guestIP !== "0.0.0.0") {
        fail(
          `${path}.guestIPMustBeZero`,
          `${f("guestIPMustBeZero")} can only be true when ${
            f("guestIP")
          } is 0.0.0.0`,
        );
      }
      if (rule.guestPort) {
        if (rule.guestSocket) {
          fail(
            `${path}.guestPort`,
            `${f("guestPort")} must be 0 when ${f("guestSocket")} is set`,
          );
        }
        if (rule.guestPort !== guestRange[0]) {
          fail(
            `${path}.guestPort`,
            `${f("guestPort")} must match ${f("guestPortRange[0]")}`,
          );
        }
        checkPort(`${path}.guestPort`, rule.guestPort);
      }
      if (rule.hostPort) {
        if (rule.hostSocket) {
          fail(
            `${path}.hostPort`,
            `${f("hostPort")} must be 0 when ${f("hostSocket")} is set`,
          );
        }
        if (rule.hostPort !== hostRange[0]) {
          fail(
            `${path}.hostPort`,
            `${f("hostPort")} must match ${f("hostPortRange[0]")}`,
          );
        }
        checkPort(`${path}.hostPort`, rule.hostPort);
      }
      for (const j of [0, 1]) {
        checkPort(`${path}.guestPortRange[${j}]`, guestRange[j]);
        if (!rule.hostSocket) {
          checkPort(`${path}.hostPortRange[${j}]`, hostRange[j]);
        }
      }
      if (guestRange[0] > guestRange[1]) {
        fail(
          `${path}.guestPortRange`,
          `${f("guestPortRange[1]")} must be greater than or equal to ${
            f("guestPortRange[0]")
          }`,
        );
      }
      if (hostRange[0] > hostRange[1] && !rule.hostSocket) {
        fail(
          `${path}.hostPortRange`,
          `${f("hostPortRange[1]")} must be greater than or equal to ${
            f("hostPortRange[0]")
          }`,
        );
      }
      if (rule.guestSocket) {
        if (!posix.isAbsolute(rule.guestSocket)) {
          fail(
            `${path}.guestSocket`,
            `${f("guestSocket")} must be an absolute path, but is ${
              quote(rule.guestSocket)
            }`,
          );
        }
        if (!rule.hostSocket && hostRange[1] - hostRange[0] > 0) {
          fail(
            `${path}.guestSocket`,
            `${
              f("guestSocket")
            } can only be mapped to a single port or socket. not a range`,
          );
        }
      }
      if (rule.hostSocket) {
        if (!isAbsolute(rule.hostSocket)) {
          fail(
            `${path}.hostSocket`,
            `${f("hostSocket")} must be an absolute path, but is ${
              quote(rule.hostSocket)
            }`,
          );
        }
        if (!rule.guestSocket && guestRange[1] - guestRange[0] > 0) {
          fail(
            `${path}.hostSocket`,
            `${
              f("hostSocket")
            } can only be mapped from a single port or socket. not a range`,
          );
        }
        if (rule.hostSocket.length >= unixPathMax()) {
          fail(
            `${path}.hostSocket`,
            `${
              f("hostSocket")
            } must be less than UNIX_PATH_MAX=${unixPathMax()} characters, but is ${rule.hostSocket.length}`,
          );
        }
      } else if (
        guestRange[1] - guestRange[0] !== hostRange[1] - hostRange[0]
      ) {
        fail(
          `${path}.hostPortRange`,
          `${f("hostPortRange")} must specify the same number of ports as ${
            f("guestPortRange")
          }`,
        );
      }
      const proto = rule.proto ?? "any";
      if (!(PROTOS as readonly string[]).includes(proto)) {
        fail(
          `${path}.proto`,
          `${f("proto")} must be \`tcp\`, \`udp\`, or \`any\`, got ${
            quote(proto)
          }`,
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
    });
  }

  function checkNetworks() {
    const interfaces = new Map<string, number>();
    y.networks?.forEach((nw, i) => {
      const path = `networks[${i}]`;
      const f = (name: string) => field(`${path}.${name}`);
      const set = [
        nw.lima ? "lima" : "",
        nw.socket ? "socket" : "",
        nw.vzNAT ? "vzNAT" : "",
      ].filter(Boolean);
      if (set.length === 0) {
        fail(path, `${f("lima")}, ${f("socket")} or ${f("vzNAT")} must be set`);
      } else if (set.length > 1) {
        fail(
          `${path}.${set[0]}`,
          `${f(set[0])} and ${f(set[1])} are mutually exclusive`,
        );
      }
      if (nw.lima && options.networkModes) {
        const mode = options.networkModes[nw.lima];
        if (mode === undefined) {
          fail(
            `${path}.lima`,
            `${f("lima")} references network ${
              quote(nw.lima)
            } which is not defined in networks.yaml`,
          );
        } else if (mode !== "user-v2" && hostOS !== "darwin") {
          fail(
            `${path}.lima`,
            `${f("lima")} is only supported on macOS right now`,
          );
        }
      }
      if (nw.socket) {
        try {
          if (!Deno.statSync(nw.socket).isSocket) {
            fail(
              `${path}.socket`,
              `${f("socket")} ${quote(nw.socket)} points to a non-socket file`,
            );
          }
        } catch {
          // A socket that does not exist yet is started by the user before the instance.
        }
      }
      if (nw.vzNAT && y.vmType != null && y.vmType !== "vz") {
        fail(
          `${path}.vzNAT`,
          `${f("vzNAT")} requires \`vmType: vz\`, got ${quote(y.vmType)}`,
        );
      }
      if (nw.macAddress) {
        const bytes = macBytes(nw.macAddress);
        if (bytes === undefined) {
          fail(
            `${path}.macAddress`,
            `${
              f("macAddress")
            } must be a MAC address such as "52:55:55:12:34:56", got ${
              quote(nw.macAddress)
            }`,
          );
        } else if (bytes !== 6) {
          fail(
            `${path}.macAddress`,
            `${
              f("macAddress")
            } must be a 48 bit (6 bytes) MAC address; actual length of ${
              quote(nw.macAddress)
            } is ${bytes} bytes`,
          );
        }
      }
      const name = nw.interface ?? "";
      const bytes = new TextEncoder().encode(name).length;
      if (bytes >= 16) {
        fail(
          `${path}.interface`,
          `${
            f("interface")
          } must be less than 16 bytes, but is ${bytes} bytes: ${quote(name)}`,
        );
      }
      if (/[\s/]/.test(name)) {
        fail(
          `${path}.interface`,
          `${f("interface")} must not contain whitespace or slashes`,
        );
      }
      if (name === "eth0") {
        fail(
          `${path}.interface`,
          `${
            f("interface")
          } must not be set to \`eth0\` because it is reserved for slirp`,
        );
      }
      if (name) {
        const earlier = interfaces.get(name);
        if (earlier !== undefined) {
          fail(
            `${path}.interface`,
            `${f("interface")} value ${
              quote(name)
            } has already been used by field \`networks[${earlier}].interface\``,
          );
        } else interfaces.set(name, i);
      }
      if (nw.metric != null && (nw.metric < 0 || nw.metric > 0xffffffff)) {
        fail(
          `${path}.metric`,
          `${f("metric")} must be between 0 and 4294967295, got ${nw.metric}`,
        );
      }
    });
  }
}

/** Why DIGEST is not an OCI digest (`algorithm:hex`), or undefined. */
function digestProblem(digest: string): string | undefined {
  const at = digest.indexOf(":");
  if (at <= 0) return "invalid checksum digest format";
  const algorithm = digest.slice(0, at);
  const encoded = digest.slice(at + 1);
  if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/.test(algorithm)) {
    return "invalid checksum digest format";
  }
  const length = DIGEST_LENGTHS[algorithm];
  if (length === undefined) return "unsupported digest algorithm";
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded)) {
    return "invalid checksum digest length";
  }
  return undefined;
}

/** Number of bytes of a MAC-like string (`aa:bb:…`, `aa-bb-…`, `aabb.ccdd.eeff`), or undefined. */
function macBytes(text: string): number | undefined {
  if (/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2})*$/i.test(text)) {
    return (text.length + 1) / 3;
  }
  if (/^[0-9a-f]{4}(\.[0-9a-f]{4})*$/i.test(text)) {
    return ((text.length + 1) / 5) * 2;
  }
  return undefined;
}

function isIP(text: string): boolean {
  const v4 =
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  if (v4.test(text)) return true;
  if (!text.includes(":")) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}
