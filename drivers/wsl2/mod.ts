/**
 * The built-in `wsl2` driver (Lima's `pkg/driver/wsl2/wsl_driver_windows.go`): a WSL 2 distro
 * `lima-<name>` imported from a root-filesystem tarball and driven with `wsl.exe`. Validates
 * everywhere, runs on Windows.
 */
import { join } from "node:path";
import type { LimaYAML } from "../../core/config/schema.ts";
import { type Diagnostic, LimaError } from "../../core/errors.ts";
import { logger } from "../../core/log.ts";
import type {
  DriverFactory,
  DriverInfo,
  DriverInstance,
  DriverManifest,
  GuestAgentEndpoint,
  InstanceStatus,
  RunningVM,
} from "../../plugins/contract.ts";
import { wsl2Validation } from "./validation.ts";
import { instanceImage } from "../common/instance_image.ts";
import { requireNativeArch } from "../common/native_arch.ts";
import { exitReport, run } from "../common/process.ts";
import { exists } from "../../core/exists.ts";
import { sleep } from "../../core/sleep.ts";
import { DriverDefaults } from "../../plugins/driver_defaults.ts";
import { driverFeatures } from "../../plugins/driver_features.ts";
import { unsupportedMountType } from "../common/mount_type.ts";
import { vsockGuestAgent } from "../common/vsock_guest_agent.ts";

const TARBALL = /\.(tar|tgz|txz|tbz2|tzst|tar\.(gz|xz|bz2|zst|zstd))$/i;

export const manifest: DriverManifest = {
  name: "wsl2",
  contractVersion: "1.1",
  description: "Windows Subsystem for Linux 2 (through wsl.exe)",
  hosts: [{ os: "windows", arch: ["x86_64", "aarch64"] }],
  vmTypes: ["wsl2"],
  capabilities: {
    mountTypes: ["wsl2"],
    snapshots: false,
    gui: false,
    display: false,
    dynamicSSHAddress: true,
    noCloudInit: true,
    guestAgentTransport: "vsock",
    imageFormats: ["tar"],
  },
  validation: wsl2Validation,
};

export interface Wsl2Options {
  /** The `wsl.exe` executable. */
  wsl: string;
}

export const wsl2Defaults: Wsl2Options = { wsl: "wsl.exe" };

/** wsl.exe's own messages are UTF-16LE; commands run inside the distro print UTF-8. */
export function decodeWslOutput(bytes: Uint8Array): string {
  const utf16 = bytes.length >= 2 &&
    bytes.filter((b, i) => i % 2 === 1 && b === 0).length > bytes.length / 4;
  return new TextDecoder(utf16 ? "utf-16le" : "utf-8").decode(bytes).replace(
    /^\uFEFF/,
    "",
  );
}

/** The state column of a distro in `wsl.exe --list --verbose` output; undefined when absent. */
export function distroState(
  listing: string,
  distro: string,
): string | undefined {
  for (const line of listing.split(/\r?\n/)) {
    const cols = line.replace(/^\s*\*?\s*/, "").trim().split(/\s+/);
    if (cols[0] === distro && cols.length >= 2) return cols[1];
  }
  return undefined;
}

class Wsl2Driver extends DriverDefaults {
  readonly #instance: DriverInstance;
  readonly #options: Wsl2Options;
  readonly #distro: string;
  #config: LimaYAML;
  #keepAlive?: Deno.ChildProcess;
  #stopping = false;

  constructor(instance: DriverInstance, options: Wsl2Options) {
    super();
    this.#instance = instance;
    this.#options = options;
    this.#distro = `lima-${instance.name}`;
    this.#config = structuredClone(instance.config);
  }

  get #dir(): string {
    return this.#instance.dir;
  }

  async #wsl(args: string[], what: string): Promise<string> {
    const result = await run(this.#options.wsl, args);
    const text = decodeWslOutput(result.stdout);
    if (result.code !== 0) {
      throw new LimaError({
        summary: `failed to ${what}`,
        detail: `wsl.exe ${args.join(" ")}: exit status ${result.code}: ${
          (text + result.stderr).trim()
        }`,
      });
    }
    return text;
  }

  async #state(): Promise<InstanceStatus> {
    const result = await run(this.#options.wsl, ["--list", "--verbose"]);
    const text = decodeWslOutput(result.stdout);
    const state = distroState(text, this.#distro);
    if (state === undefined) {
      return result.code === 0 || /no installed distributions/i.test(text)
        ? "Uninitialized"
        : "Broken";
    }
    return (["Running", "Stopped", "Installing"] as string[]).includes(state)
      ? state as InstanceStatus
      : "Broken";
  }

  configure(): Promise<LimaYAML> {
    const config = structuredClone(this.#instance.config);
    if (!config.mountType || config.mountType === "default") {
      config.mountType = "wsl2";
    }
    this.#config = config;
    return Promise.resolve(structuredClone(config));
  }

  validate(): Promise<Diagnostic[]> {
    const config = this.#config;
    const found: Diagnostic[] = [];
    const unsupported = unsupportedMountType(
      config.mountType,
      ["wsl2"],
      "the wsl2 driver",
      "use wsl2",
    );
    if (unsupported) found.push(unsupported);
    (config.images ?? []).forEach((image, i) => {
      if (
        image.location &&
        !TARBALL.test(new URL(image.location, "file:///").pathname)
      ) {
        found.push({
          severity: "error",
          summary:
            "vmType wsl2 only supports importing tar archive root filesystems",
          path: `images[${i}].location`,
          detail: image.location,
        });
      }
    });
    if (config.tpm) {
      found.push({
        severity: "error",
        summary: "vmType wsl2 does not support a TPM",
        path: "tpm",
      });
    }
    if (config.os === "Windows") {
      found.push({
        severity: "error",
        summary: "vmType wsl2 does not run Windows guests",
        path: "os",
      });
    }
    if (config.user?.passwordlessSudo === false) {
      found.push({
        severity: "error",
        summary: "vmType wsl2 requires passwordless sudo",
        path: "user.passwordlessSudo",
      });
    }
    return Promise.resolve(found);
  }

  /** Keeps the tarball as `basedisk` for `wsl.exe --import` at the first start. */
  async createDisk(): Promise<void> {
    const basedisk = join(this.#dir, "basedisk");
    if (await exists(basedisk)) return;
    await Deno.rename(await instanceImage(this.#dir, "the distro"), basedisk);
  }

  async start(): Promise<RunningVM> {
    requireNativeArch(this.#config.arch, "wsl2");
    if ((await this.#state()) === "Uninitialized") {
      logger.info(`Importing distro ${this.#distro}`);
      await this.#wsl([
        "--import",
        this.#distro,
        this.#dir,
        join(this.#dir, "basedisk"),
      ], "import the distro");
    }
    const bootScript = join(this.#dir, "cidata", "boot.sh");
    if (await exists(bootScript)) {
      const linuxPath = (await this.#wsl(
        ["-d", this.#distro, "wslpath", "-u", bootScript],
        "convert a path",
      )).trim();
      const cidata = (await this.#wsl([
        "-d",
        this.#distro,
        "wslpath",
        "-u",
        join(this.#dir, "cidata"),
      ], "convert a path")).trim();
      await this.#wsl([
        "-d",
        this.#distro,
        "bash",
        "-c",
        `LIMA_CIDATA_MNT=${cidata} ${linuxPath}`,
      ], "run the boot script");
    }
    const child = new Deno.Command(this.#options.wsl, {
      args: [
        "-d",
        this.#distro,
        "bash",
        "-c",
        "nohup sleep 2147483647d >/dev/null 2>&1",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.#keepAlive = child;
    this.#stopping = false;
    const stderr = new Response(child.stderr).text();
    const exited = child.status.then(async (status) => {
      this.#keepAlive = undefined;
      const failed = !this.#stopping;
      return exitReport(
        status,
        failed
          ? {
            summary: `distro ${this.#distro} stopped unexpectedly`,
            detail: (await stderr).trim() || undefined,
          }
          : undefined,
      );
    });
    for (let i = 0; i < 100 && (await this.#state()) !== "Running"; i++) {
      await sleep(100);
    }
    return { pid: child.pid, exited };
  }

  async stop(): Promise<void> {
    if ((await this.#state()) !== "Running") return;
    this.#stopping = true;
    await this.#wsl(["--terminate", this.#distro], "terminate the distro");
    await this.#keepAlive?.status;
  }

  override async delete(): Promise<void> {
    if ((await this.#state()) === "Uninitialized") return;
    await this.#wsl(["--unregister", this.#distro], "unregister the distro");
  }

  override inspectStatus(): Promise<InstanceStatus> {
    return this.#state();
  }

  override async sshAddress(): Promise<string> {
    const probes = [
      "hostname -I",
      "ip route get 1 | sed -n 's/.* src \\([0-9.]*\\).*/\\1/p'",
      "hostname -i",
    ];
    for (const probe of probes) {
      const result = await run(this.#options.wsl, [
        "-d",
        this.#distro,
        "bash",
        "-c",
        probe,
      ]);
      const address =
        new TextDecoder().decode(result.stdout).trim().split(/\s+/)[0];
      if (result.code === 0 && address) return address;
    }
    throw new LimaError({
      summary: `failed to find the IP address of distro ${this.#distro}`,
    });
  }

  info(): Promise<DriverInfo> {
    return Promise.resolve({
      name: "wsl2",
      vsockPort: 0,
      virtioPort: "",
      instanceDir: this.#dir,
      // Lima's WSL2 driver sets these two; the capabilities have no flag for them.
      features: driverFeatures(manifest.capabilities, {
        staticSSHPort: true,
        skipSocketForwarding: true,
      }),
    });
  }

  /** The guest agent listens on a Hyper-V socket; the host agent bridges it to `ga.sock`. */
  guestAgentConn(): Promise<GuestAgentEndpoint> {
    return vsockGuestAgent(this.#dir);
  }
}

const wsl2: DriverFactory<Wsl2Options> = (instance, options = {}) =>
  new Wsl2Driver(instance, { ...wsl2Defaults, ...options });
export default wsl2;
