/**
 * The built-in `vz` driver (Lima's `pkg/driver/vz/vz_driver_darwin.go`): Apple
 * Virtualization.framework through `vfkit`, a maintained CLI over it. Configurations validate on
 * every host; VMs start only on macOS.
 */
import { join } from "node:path";
import type { LimaYAML, MountType } from "../../core/config/schema.ts";
import { parseSize } from "../../core/config/units.ts";
import { type Diagnostic, errorMessage, LimaError } from "../../core/errors.ts";
import { logger } from "../../core/log.ts";
import type {
  DriverFactory,
  DriverInfo,
  DriverInstance,
  DriverManifest,
  GuestAgentEndpoint,
  RunningVM,
} from "../../plugins/contract.ts";
import { vzValidation } from "./validation.ts";
import { macAddress, mountTag } from "../../core/config/identity.ts";
import {
  additionalDiskPaths,
  bootFiles,
  kernelCmdline,
} from "../common/boot_inputs.ts";
import { instanceImage } from "../common/instance_image.ts";
import { requireNativeArch } from "../common/native_arch.ts";
import {
  exitedBeforePath,
  exitReport,
  readPidFile,
  runText,
  signal,
  waitForChild,
  waitForExit,
} from "../common/process.ts";
import { unixRequest } from "../common/unix_http.ts";
import { checkBaseImage, imageInfo } from "../common/image_info.ts";
import { isISO9660 } from "../../core/is_iso9660.ts";
import { exists } from "../../core/exists.ts";
import { DriverDefaults } from "../../plugins/driver_defaults.ts";
import { driverFeatures } from "../../plugins/driver_features.ts";
import { unsupportedMountType } from "../common/mount_type.ts";
import { vsockGuestAgent } from "../common/vsock_guest_agent.ts";

const MOUNT_TYPES: MountType[] = ["virtiofs", "reverse-sshfs"];
const IMAGE_FORMATS = ["raw", "asif"];

export const manifest: DriverManifest = {
  name: "vz",
  contractVersion: "1.1",
  description: "Apple Virtualization.framework (through vfkit)",
  hosts: [{ os: "darwin", arch: ["aarch64", "x86_64"] }],
  vmTypes: ["vz"],
  capabilities: {
    mountTypes: MOUNT_TYPES,
    snapshots: false,
    gui: true,
    display: false,
    dynamicSSHAddress: false,
    noCloudInit: false,
    guestAgentTransport: "vsock",
    imageFormats: IMAGE_FORMATS,
  },
  validation: vzValidation,
};

export interface VzOptions {
  /** The `vfkit` executable. */
  vfkit: string;
  /** `qemu-img`, used to convert non-raw images to raw. */
  qemuImg: string;
  /** How long `stop` waits for the guest to power off before forcing it (ms). */
  stopTimeout: number;
}

export const vzDefaults: VzOptions = {
  vfkit: "vfkit",
  qemuImg: "qemu-img",
  stopTimeout: 30_000,
};

/** vsock port of the guest agent, as in Lima's `pkg/driver/vz/vz_driver_darwin.go`. */
export const GUEST_AGENT_VSOCK_PORT = 2222;

export interface VfkitPlan {
  dir: string;
  config: LimaYAML;
  macAddress: string;
  files: { iso: boolean; kernel: boolean; initrd: boolean; cidata: boolean };
  kernelCmdline?: string;
  additionalDisks: string[];
  /** Whether the host agent serves the user-mode network on `INSTDIR/default_fd.sock`. */
  userNetwork: boolean;
}

/** `vfkit` arguments for a configured instance. */
export function vfkitArgs(plan: VfkitPlan): string[] {
  const { dir, config } = plan;
  const mib = Math.floor(parseSize(config.memory ?? "4GiB") / (1024 * 1024));
  const args = ["--cpus", String(config.cpus ?? 4), "--memory", String(mib)];
  if (plan.files.kernel) {
    let loader = `linux,kernel=${join(dir, "kernel")}`;
    if (plan.files.initrd) loader += `,initrd=${join(dir, "initrd")}`;
    if (plan.kernelCmdline) {
      loader += `,cmdline=${JSON.stringify(plan.kernelCmdline)}`;
    }
    args.push("--bootloader", loader);
  } else {
    args.push(
      "--bootloader",
      `efi,variable-store=${join(dir, "vz-efi")},create`,
    );
  }
  args.push("--device", `virtio-blk,path=${join(dir, "disk")}`);
  if (plan.files.iso) {
    args.push("--device", `usb-mass-storage,path=${join(dir, "iso")},readonly`);
  }
  for (const disk of plan.additionalDisks) {
    args.push("--device", `virtio-blk,path=${disk}`);
  }
  if (plan.files.cidata) {
    args.push("--device", `virtio-blk,path=${join(dir, "cidata.iso")}`);
  }
  // NIC 0 uses the host agent's user-mode network when it serves one; otherwise NAT, with
  // SSH reaching the guest over vsock.
  const nat = !plan.userNetwork || config.networks?.some((n) => n.vzNAT);
  const nic0 = nat ? "nat" : `unixSocketPath=${join(dir, "default_fd.sock")}`;
  args.push("--device", `virtio-net,${nic0},mac=${plan.macAddress}`);
  args.push("--device", "virtio-rng");
  args.push("--device", `virtio-serial,logFilePath=${join(dir, "serial.log")}`);
  args.push(
    "--device",
    `virtio-vsock,port=${GUEST_AGENT_VSOCK_PORT},socketURL=${
      join(dir, "ga.sock")
    },connect`,
  );
  if (config.ssh?.overVsock) {
    args.push(
      "--device",
      `virtio-vsock,port=22,socketURL=${join(dir, "ssh-vsock.sock")},connect`,
    );
  }
  if (config.mountType === "virtiofs") {
    for (const m of config.mounts ?? []) {
      args.push(
        "--device",
        `virtio-fs,sharedDir=${m.location},mountTag=${
          mountTag(m.location!, m.mountPoint ?? m.location!)
        }`,
      );
    }
  }
  if (config.vmOpts?.vz?.rosetta?.enabled) {
    args.push("--device", "rosetta,mountTag=vz-rosetta,install");
  }
  if (hasDisplay(config)) {
    args.push(
      "--device",
      "virtio-gpu,width=1920,height=1200",
      "--device",
      "virtio-input,keyboard",
      "--device",
      "virtio-input,pointing",
      "--gui",
    );
  }
  if (config.nestedVirtualization) args.push("--nested");
  args.push("--restful-uri", `unix://${join(dir, "vfkit.sock")}`);
  return args;
}

function hasDisplay(config: LimaYAML): boolean {
  const display = config.video?.display ?? "none";
  return display === "vz" || display === "default";
}

class VzDriver extends DriverDefaults {
  readonly #instance: DriverInstance;
  readonly #options: VzOptions;
  #config: LimaYAML;
  #child?: Deno.ChildProcess;
  #stopping = false;

  constructor(instance: DriverInstance, options: VzOptions) {
    super();
    this.#instance = instance;
    this.#options = options;
    this.#config = structuredClone(instance.config);
  }

  get #dir(): string {
    return this.#instance.dir;
  }

  configure(): Promise<LimaYAML> {
    const config = structuredClone(this.#instance.config);
    if (!config.mountType || config.mountType === "default") {
      config.mountType = "virtiofs";
    }
    const linux = (config.os ?? "Linux") === "Linux";
    config.ssh = { ...config.ssh, overVsock: config.ssh?.overVsock ?? linux };
    const legacy = config.rosetta;
    const vz = config.vmOpts?.vz;
    config.vmOpts = {
      ...config.vmOpts,
      vz: {
        ...vz,
        diskImageFormat: vz?.diskImageFormat ?? "raw",
        rosetta: {
          enabled: vz?.rosetta?.enabled ?? legacy?.enabled ?? false,
          binfmt: vz?.rosetta?.binfmt ?? legacy?.binfmt ?? false,
        },
      },
    };
    delete config.rosetta;
    this.#config = config;
    return Promise.resolve(structuredClone(config));
  }

  validate(): Promise<Diagnostic[]> {
    const config = this.#config;
    const found: Diagnostic[] = [];
    const unsupported = unsupportedMountType(
      config.mountType,
      MOUNT_TYPES,
      "the vz driver",
    );
    if (unsupported) found.push(unsupported);
    if (config.firmware?.legacyBIOS) {
      found.push({
        severity: "warning",
        summary: "vmType vz does not support legacyBIOS; it is ignored",
        path: "firmware.legacyBIOS",
      });
    }
    const devices: [string, string][] = [
      ["audio.device", config.audio?.device ?? ""],
      ["video.display", config.video?.display ?? ""],
    ];
    for (const [path, device] of devices) {
      if (!["", "vz", "default", "none"].includes(device)) {
        found.push({
          severity: "error",
          summary:
            `field \`${path}\` must be "vz", "default" or "none" for vmType vz, got ${
              JSON.stringify(device)
            }`,
          path,
        });
      }
    }
    const format = config.vmOpts?.vz?.diskImageFormat;
    if (format && !IMAGE_FORMATS.includes(format)) {
      found.push({
        severity: "error",
        summary:
          `field \`vmOpts.vz.diskImageFormat\` must be "raw" or "asif", got ${
            JSON.stringify(format)
          }`,
        path: "vmOpts.vz.diskImageFormat",
      });
    }
    if (config.tpm) {
      found.push({
        severity: "warning",
        summary: "vmType vz does not support a TPM; it is ignored",
        path: "tpm",
      });
    }
    return Promise.resolve(found);
  }

  async createDisk(): Promise<void> {
    const disk = join(this.#dir, "disk");
    if (await exists(disk)) return;
    const image = await instanceImage(this.#dir, "the disk");
    if (await isISO9660(image)) {
      await Deno.rename(image, join(this.#dir, "iso"));
      const file = await Deno.open(disk, { create: true, write: true });
      await file.truncate(parseSize(this.#config.disk ?? "100GiB"));
      file.close();
      return;
    }
    const info = await imageInfo(this.#options.qemuImg, image);
    checkBaseImage(info, image, ["raw", "qcow2", "vmdk", "vhdx", "vpc", "vdi"]);
    if (info.format === "raw") {
      await Deno.rename(image, disk);
    } else {
      await runText(this.#options.qemuImg, [
        "convert",
        "-O",
        "raw",
        image,
        `${disk}.tmp`,
      ], "convert the image to raw");
      await Deno.rename(`${disk}.tmp`, disk);
      await Deno.remove(image);
    }
  }

  async start(): Promise<RunningVM> {
    if (Deno.build.os === "darwin") await checkMacOS();
    requireNativeArch(this.#config.arch, "vz");
    const args = vfkitArgs({
      dir: this.#dir,
      config: this.#config,
      macAddress: macAddress(this.#dir),
      files: await bootFiles(this.#dir),
      kernelCmdline: await kernelCmdline(this.#dir),
      additionalDisks: additionalDiskPaths(this.#dir, this.#config),
      userNetwork: await exists(join(this.#dir, "default_fd.sock")),
    });
    for (const stale of ["vfkit.sock", "ga.sock", "ssh-vsock.sock", "vz.pid"]) {
      await Deno.remove(join(this.#dir, stale)).catch(() => {});
    }
    logger.debug("vfkit command line", { args: args.join(" ") });
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(this.#options.vfkit, {
        args,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
        detached: true,
      }).spawn();
    } catch (err) {
      throw new LimaError({
        summary: "failed to run vfkit",
        detail: errorMessage(err),
        hint: "install it with `brew install vfkit`",
      });
    }
    this.#child = child;
    this.#stopping = false;
    const stderr = new Response(child.stderr).text();
    const exited = child.status.then(async (status) => {
      this.#child = undefined;
      await Deno.remove(join(this.#dir, "vz.pid")).catch(() => {});
      const text = (await stderr).trim();
      const failed = !this.#stopping && !status.success;
      return exitReport(
        status,
        failed
          ? {
            summary: "vfkit exited unexpectedly",
            detail: text || `exit status ${status.code}`,
          }
          : undefined,
      );
    });
    if (await exitedBeforePath(child, join(this.#dir, "vfkit.sock"), 30_000)) {
      const report = await exited;
      throw new LimaError({
        summary: "vfkit failed to start the VM",
        detail: report.diagnostic?.detail,
      });
    }
    await Deno.writeTextFile(join(this.#dir, "vz.pid"), `${child.pid}\n`);
    return { pid: child.pid, exited };
  }

  async stop(): Promise<void> {
    const pid = this.#child?.pid ??
      await readPidFile(join(this.#dir, "vz.pid"));
    if (!pid) return;
    this.#stopping = true;
    const socket = join(this.#dir, "vfkit.sock");
    const gone = async (ms: number) =>
      this.#child
        ? await waitForChild(this.#child, ms)
        : await waitForExit(pid, ms);
    try {
      await unixRequest(socket, "POST", "/vm/state", { state: "Stop" });
      if (await gone(this.#options.stopTimeout)) return;
      logger.warn(
        "vz timeout while waiting for stop status; forcing the VM off",
      );
      await unixRequest(socket, "POST", "/vm/state", { state: "HardStop" });
      if (await gone(5000)) return;
    } catch (err) {
      logger.warn("failed to stop the VM through vfkit", {
        error: errorMessage(err),
      });
    }
    signal(pid, "SIGKILL");
    await gone(5000);
    await Deno.remove(join(this.#dir, "vz.pid")).catch(() => {});
  }

  info(): Promise<DriverInfo> {
    const rosetta = this.#config.vmOpts?.vz?.rosetta;
    return Promise.resolve({
      name: "vz",
      vsockPort: GUEST_AGENT_VSOCK_PORT,
      virtioPort: "",
      instanceDir: this.#dir,
      features: driverFeatures(manifest.capabilities, {
        canRunGui: hasDisplay(this.#config),
        rosettaEnabled: rosetta?.enabled ?? false,
        rosettaBinFmt: rosetta?.binfmt ?? false,
      }),
    });
  }

  /** vfkit owns the window (`--gui`); the GUI "loop" lasts as long as the VM. */
  async runGUI(): Promise<void> {
    if (this.#child) await this.#child.status;
  }

  guestAgentConn(): Promise<GuestAgentEndpoint> {
    return vsockGuestAgent(this.#dir);
  }
}

async function checkMacOS(): Promise<void> {
  const version =
    (await runText("sw_vers", ["-productVersion"], "read the macOS version"))
      .trim();
  if (Number(version.split(".")[0]) < 13) {
    throw new LimaError({
      summary: "VZ driver requires macOS 13 or higher to run",
      detail: `this is macOS ${version}`,
    });
  }
}

const vz: DriverFactory<VzOptions> = (instance, options = {}) =>
  new VzDriver(instance, { ...vzDefaults, ...options });
export default vz;
