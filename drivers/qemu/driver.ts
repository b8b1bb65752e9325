/**
 * The QEMU driver (Lima's `pkg/driver/qemu/qemu_driver.go`). The host profile (OS, arch, where
 * QEMU and firmware live, which mount types work) is a parameter, so the NetBSD variant reuses all
 * of it.
 */
import { dirname, join } from "node:path";
import type { Arch, LimaYAML, MountType } from "../../core/config/schema.ts";
import { parseSize } from "../../core/config/units.ts";
import { type Diagnostic, errorMessage, LimaError } from "../../core/errors.ts";
import { exists } from "../../core/exists.ts";
import { logger } from "../../core/log.ts";
import { isFastBoot } from "../common/fast_boot.ts";
import { pvhKernel } from "./pvh_kernel.ts";
import type {
  Driver,
  DriverCapabilities,
  DriverInfo,
  DriverInstance,
  GuestAgentEndpoint,
  RunningVM,
  SnapshotOps,
} from "../../plugins/contract.ts";
import { nic0MacAddress } from "../../core/config/identity.ts";
import {
  additionalDiskPaths,
  bootFiles,
  kernelCmdline,
} from "../common/boot_inputs.ts";
import {
  exitedBeforePath,
  exitReport,
  readPidFile,
  runText,
  signal,
  waitForChild,
  waitForExit,
  waitForPath,
} from "../common/process.ts";
import {
  type Accelerator,
  detectAccelerator,
  nativeAccelerator,
  qemuHelp,
} from "./accel.ts";
import {
  checkQemuVersion,
  qemuArch,
  type QemuBinary,
  qemuBinary,
} from "./binary.ts";
import { CONSOLE_LOGS, GUEST_AGENT_PORT, qemuCommandLine } from "./cmdline.ts";
import { createDisk, growDisk } from "./instance_disk.ts";
import { findFirmware, firmwareCandidates, usesFirmware } from "./firmware.ts";
import { QmpClient } from "./qmp.ts";
import { captureScreenshot } from "./screenshot.ts";
import { qemuSnapshots } from "./snapshots.ts";
import {
  descriptorDirs,
  findVirtiofsd,
  virtiofsdCommand,
} from "./virtiofsd.ts";
import { DriverDefaults } from "../../plugins/driver_defaults.ts";
import { driverFeatures } from "../../plugins/driver_features.ts";
import { unsupportedMountType } from "../common/mount_type.ts";
import { checkSocketNetworks } from "../common/socket_network.ts";

/** Where the driver runs and what that host allows. */
export interface QemuHost {
  os: string;
  arch: string;
  /** Mount types QEMU can provide on this host, preferred default first. */
  mountTypes: MountType[];
  /** Directory searched for `qemu-system-*` before PATH (e.g. pkgsrc's `/usr/pkg/bin`). */
  binDir?: string;
  /** Firmware files tried before the distro paths. */
  firmwarePaths?: string[];
}

export interface QemuOptions {
  /** `qemu-img` executable. */
  qemuImg: string;
  /** Overrides the `qemu-system-*` executable (else `QEMU_SYSTEM_<ARCH>`, else PATH). */
  qemuSystem?: string;
  /** Skips detection and uses this accelerator. */
  accel?: Accelerator;
  /** How long `stop` waits for the guest to power off before killing QEMU (ms). */
  stopTimeout: number;
  /** How long the accelerator test boot may take (ms). */
  probeTimeout: number;
  /** Environment consulted for `QEMU_SYSTEM_<ARCH>`. */
  env: Record<string, string | undefined>;
}

export const qemuDefaults: QemuOptions = {
  qemuImg: "qemu-img",
  stopTimeout: 3 * 60_000,
  probeTimeout: 10_000,
  env: {},
};

/** Image formats QEMU boots from directly. */
export const QEMU_IMAGE_FORMATS = ["qcow2", "raw", "vmdk", "vhdx"];

/** Mount types QEMU supports per host OS (Lima's `pkg/driver/qemu/qemu_driver.go`). */
export function qemuMountTypes(os: string): MountType[] {
  switch (os) {
    case "linux":
      return ["9p", "reverse-sshfs", "virtiofs"];
    case "darwin":
      return ["9p", "reverse-sshfs"];
    default:
      return ["reverse-sshfs"];
  }
}

/** What QEMU can do on a host that provides MOUNTTYPES; the same on every host. */
export function qemuCapabilities(mountTypes: MountType[]): DriverCapabilities {
  return {
    mountTypes,
    snapshots: true,
    gui: false,
    display: true,
    screenshot: true,
    dynamicSSHAddress: false,
    noCloudInit: false,
    guestAgentTransport: "virtio-serial",
    imageFormats: QEMU_IMAGE_FORMATS,
  };
}

function compareLimaVersion(version: string, major: number): number {
  const m = /^v?(\d+)/.exec(version);
  return m ? Number(m[1]) - major : 1;
}

export class QemuDriver extends DriverDefaults {
  readonly #instance: DriverInstance;
  readonly #options: QemuOptions;
  readonly #host: QemuHost;
  #config: LimaYAML;
  #accel?: Accelerator;
  #child?: Deno.ChildProcess;
  #helpers: Deno.ChildProcess[] = [];
  #stopping = false;

  snapshots: SnapshotOps;
  display: Driver["display"];
  guestAgentConn: () => Promise<GuestAgentEndpoint>;

  constructor(instance: DriverInstance, options: QemuOptions, host: QemuHost) {
    super();
    this.#instance = instance;
    this.#options = options;
    this.#host = host;
    this.#config = structuredClone(instance.config);
    this.#accel = options.accel;
    this.snapshots = qemuSnapshots({
      dir: instance.dir,
      qemuImg: options.qemuImg,
      running: () => this.#running(),
      hmp: (line, timeoutMs) => this.#qmp((c) => c.hmp(line, timeoutMs)),
    });
    this.display = {
      changePassword: (password) =>
        this.#qmp((c) => c.execute("change-vnc-password", { password })).then(
          () => {},
        ),
      connection: () => this.#vncConnection(),
      screenshot: (format) =>
        this.#qmp((c) => captureScreenshot(c, this.#dir, format)),
    };
    this.guestAgentConn = () =>
      Promise.resolve({
        transport: "virtio-serial",
        socketPath: join(this.#instance.dir, "ga.sock"),
        tunnelSocketPath: join(this.#instance.dir, "tunnel.sock"),
      });
  }

  get #dir(): string {
    return this.#instance.dir;
  }

  get #arch(): Arch {
    return (this.#config.arch ?? this.#host.arch) as Arch;
  }

  #binary(): QemuBinary {
    if (this.#options.qemuSystem) {
      return { path: this.#options.qemuSystem, extraArgs: [] };
    }
    const env = { ...Deno.env.toObject(), ...this.#options.env };
    const inBinDir = this.#host.binDir &&
      join(this.#host.binDir, `qemu-system-${qemuArch(this.#arch)}`);
    return qemuBinary(this.#arch, env, inBinDir || undefined);
  }

  #defaultMountType(): MountType {
    const unsupported = this.#config.mountTypesUnsupported ?? [];
    const old = this.#instance.limaVersion !== undefined &&
      compareLimaVersion(this.#instance.limaVersion, 1) < 0;
    const preferred = this.#host.mountTypes[0];
    if (preferred === "9p" && (unsupported.includes("9p") || old)) {
      return "reverse-sshfs";
    }
    return preferred;
  }

  async #accelerator(cpuType?: string): Promise<Accelerator> {
    this.#accel ??= await detectAccelerator({
      binary: this.#binary(),
      arch: this.#arch,
      hostOS: this.#host.os,
      hostArch: this.#host.arch,
      cpuType: cpuType ?? "host",
      timeoutMs: this.#options.probeTimeout,
    });
    return this.#accel;
  }

  async #defaultCpuType(): Promise<string> {
    const native = this.#arch === this.#host.arch &&
      nativeAccelerator(this.#host.os) !== undefined;
    if (this.#arch === "x86_64" && this.#host.os === "windows") return "qemu64";
    let type = native && (await this.#accelerator()) !== "tcg" &&
        !(await hostHasSME(this.#host.os))
      ? "host"
      : "max";
    if (this.#arch === "x86_64" && this.#host.os === "darwin") {
      type += ",-avx512vl,-pdpe1gb";
    }
    return type;
  }

  async configure(): Promise<LimaYAML> {
    const config = structuredClone(this.#instance.config);
    this.#config = config;
    if (!config.mountType || config.mountType === "default") {
      config.mountType = this.#defaultMountType();
    }
    config.video = {
      ...config.video,
      vnc: {
        ...config.video?.vnc,
        display: config.video?.vnc?.display ?? "127.0.0.1:0,to=9",
      },
    };
    if (config.mountType === "virtiofs") {
      config.mounts = config.mounts?.map((m) => ({
        ...m,
        virtiofs: { ...m.virtiofs, queueSize: m.virtiofs?.queueSize ?? 1024 },
      }));
    }
    const cpuTypes = { ...config.vmOpts?.qemu?.cpuType };
    if (!cpuTypes[this.#arch]) {
      cpuTypes[this.#arch] = await this.#defaultCpuType();
      config.vmOpts = {
        ...config.vmOpts,
        qemu: { ...config.vmOpts?.qemu, cpuType: cpuTypes },
      };
    }
    return structuredClone(config);
  }

  validate(): Promise<Diagnostic[]> {
    const config = this.#config;
    const found: Diagnostic[] = [];
    const mountType = config.mountType;
    const unsupported = unsupportedMountType(
      mountType,
      this.#host.mountTypes,
      `the qemu driver on ${this.#host.os}`,
    );
    if (unsupported) {
      found.push(unsupported);
    } else if (
      mountType && mountType !== "default" &&
      (config.mountTypesUnsupported ?? []).includes(mountType)
    ) {
      found.push({
        severity: "error",
        summary: `mount type ${
          JSON.stringify(mountType)
        } is explicitly unsupported`,
        path: "mountType",
      });
    }
    if (
      config.firmware?.legacyBIOS && this.#arch !== "x86_64" &&
      this.#arch !== "armv7l"
    ) {
      found.push({
        severity: "warning",
        summary: `legacyBIOS is not supported on ${
          JSON.stringify(this.#arch)
        } and is ignored`,
        path: "firmware.legacyBIOS",
      });
    }
    const audioInterface = config.audio?.interface ?? "";
    if (!["", "hda", "virtio"].includes(audioInterface)) {
      found.push({
        severity: "error",
        summary: `invalid audio.interface ${
          JSON.stringify(audioInterface)
        }, must be "hda" or "virtio"`,
        path: "audio.interface",
      });
    }
    (config.networks ?? []).forEach((network, i) => {
      if (network.vzNAT) {
        found.push({
          severity: "warning",
          summary: "vzNAT is only supported by the vz driver and is ignored",
          path: `networks[${i}].vzNAT`,
        });
      }
      const attached = (this.#instance.networks ?? []).some((a) =>
        a.index === i
      );
      if ((network.lima || network.socket) && !attached) {
        found.push({
          severity: "warning",
          summary:
            "this network is not attached by this version of the qemu driver and is ignored",
          path: `networks[${i}]`,
        });
      }
    });
    if (config.video?.display === "vnc") {
      found.push({
        severity: "warning",
        summary: "the VNC display is experimental",
        path: "video.display",
      });
    }
    return Promise.resolve(found);
  }

  async createDisk(): Promise<void> {
    await createDisk({
      qemuImg: this.#options.qemuImg,
      dir: this.#dir,
      size: this.#diskSize(),
      formats: QEMU_IMAGE_FORMATS,
    });
  }

  #diskSize(): number {
    try {
      return parseSize(this.#config.disk ?? "100GiB");
    } catch (err) {
      throw new LimaError({
        summary: "the disk size is invalid",
        path: "disk",
        detail: errorMessage(err),
      });
    }
  }

  async start(): Promise<RunningVM> {
    const sshLocalPort = this.#instance.sshLocalPort;
    if (!sshLocalPort) {
      throw new LimaError({
        summary: "the SSH port of the instance is not known",
        detail: "sshLocalPort was not set",
      });
    }
    // Before anything is started or changed, so a dead network leaves nothing behind.
    const networks = this.#instance.networks ?? [];
    await checkSocketNetworks(networks);
    const binary = this.#binary();
    const version = await checkQemuVersion(binary, {
      hostOS: this.#host.os,
      hostArch: this.#host.arch,
      templateMinimum: this.#config.vmOpts?.qemu?.minimumVersion,
    });
    if (networks.length > 0) await checkStreamNetdev(binary, version);
    const cpuType = this.#config.vmOpts?.qemu?.cpuType?.[this.#arch] ??
      await this.#defaultCpuType();
    const accel = await this.#accelerator(cpuType);
    if (cpuType !== "max") {
      const cpus = await qemuHelp(binary, ["-cpu", "help"]);
      if (
        !new RegExp(
          `\\s${
            cpuType.split(",")[0].replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          }\\s`,
        ).test(cpus)
      ) {
        throw new LimaError({
          summary: `CPU type ${
            JSON.stringify(cpuType)
          } is not supported by QEMU ${version}`,
          path: `vmOpts.qemu.cpuType.${this.#arch}`,
        });
      }
    }
    const firmware =
      usesFirmware(this.#arch, this.#config.firmware?.legacyBIOS ?? false)
        ? await findFirmware(
          firmwareCandidates({
            arch: this.#arch,
            instanceDir: this.#dir,
            qemuPath: await resolveExecutable(binary.path),
            extraPaths: this.#host.firmwarePaths,
          }),
          this.#arch,
        )
        : undefined;
    await growDisk({
      qemuImg: this.#options.qemuImg,
      dir: this.#dir,
      name: this.#instance.name,
      size: this.#diskSize(),
    });
    for (
      const stale of [
        ...CONSOLE_LOGS,
        "qmp.sock",
        "qemu.pid",
        "serial.sock",
        "serialp.sock",
        "serialv.sock",
      ]
    ) {
      await Deno.remove(join(this.#dir, stale)).catch(() => {});
    }
    if (
      this.#config.mountType === "9p" || this.#config.mountType === "virtiofs"
    ) {
      for (const m of this.#config.mounts ?? []) {
        if (m.location) await Deno.mkdir(m.location, { recursive: true });
      }
    }
    const files = await bootFiles(this.#dir);
    const cmdline = await kernelCmdline(this.#dir);
    const { args, warnings } = qemuCommandLine({
      name: this.#instance.name,
      dir: this.#dir,
      config: this.#config,
      arch: this.#arch,
      hostOS: this.#host.os,
      accel,
      cpuType,
      firmware,
      files,
      kernelCmdline: cmdline,
      // PVH needs SeaBIOS: UEFI firmware boots a bzImage only.
      kernel: files.kernel && !firmware && this.#arch === "x86_64" &&
          isFastBoot(cmdline)
        ? await pvhKernel(this.#dir)
        : undefined,
      sshLocalPort,
      macAddress: nic0MacAddress(this.#dir),
      networks,
      qemuVersion: version,
      additionalDisks: additionalDiskPaths(this.#dir, this.#config),
      extraArgs: binary.extraArgs,
    });
    for (const w of warnings) logger.warn(w);
    if (this.#config.tpm && this.#host.os !== "windows") {
      await this.#startSwtpm();
    }
    if (this.#config.mountType === "virtiofs") {
      await this.#startVirtiofsd().catch(async (err) => {
        await this.#stopHelpers();
        throw err;
      });
    }

    logger.info(
      `Starting QEMU (hint: to watch the boot progress, see "${
        join(this.#dir, "serial*.log")
      }")`,
    );
    logger.debug("qemu command line", {
      binary: binary.path,
      args: args.join(" "),
    });
    const child = new Deno.Command(binary.path, {
      args,
      cwd: this.#dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
    this.#child = child;
    this.#stopping = false;
    const tail: string[] = [];
    const pumping = Promise.all([
      pump(child.stdout, (line) => logger.debug(`qemu[stdout]: ${line}`)),
      pump(child.stderr, (line) => {
        logger.debug(`qemu[stderr]: ${line}`);
        tail.push(line);
        if (tail.length > 5) tail.shift();
      }),
    ]);
    const exited = child.status.then(async (status) => {
      await pumping;
      this.#child = undefined;
      const failed = !this.#stopping && !status.success;
      return exitReport(
        status,
        failed
          ? {
            summary: "QEMU exited unexpectedly",
            detail: tail.join("\n") || `exit status ${status.code}`,
          }
          : undefined,
      );
    });
    // QEMU writes its pid file once the machine is set up; an early exit means bad arguments.
    if (await exitedBeforePath(child, join(this.#dir, "qemu.pid"), 30_000)) {
      await exited;
      await this.#stopHelpers();
      throw new LimaError({
        summary: "QEMU failed to start",
        detail: tail.join("\n"),
      });
    }
    return { pid: child.pid, exited };
  }

  async stop(): Promise<void> {
    const pidFile = join(this.#dir, "qemu.pid");
    const pid = this.#child?.pid ?? await readPidFile(pidFile);
    if (pid) {
      this.#stopping = true;
      let stopped = false;
      try {
        logger.info("Sending QMP system_powerdown command");
        await this.#qmp((c) => c.execute("system_powerdown"));
        stopped = await this.#waitForQemu(pid, this.#options.stopTimeout);
      } catch (err) {
        logger.warn("failed to power down QEMU gracefully", {
          error: errorMessage(err),
        });
      }
      if (!stopped) {
        logger.info(`Sending SIGKILL to the qemu driver process ${pid}`);
        signal(pid, "SIGKILL");
        await this.#waitForQemu(pid, 5000);
      }
    }
    await Deno.remove(pidFile).catch(() => {});
    for (const file of ["vncdisplay", "vncpassword"]) {
      await Deno.remove(join(this.#dir, file)).catch(() => {});
    }
    await this.#stopHelpers();
  }

  async #waitForQemu(pid: number, timeoutMs: number): Promise<boolean> {
    const child = this.#child;
    if (!child) return waitForExit(pid, timeoutMs);
    return await waitForChild(child, timeoutMs);
  }

  info(): Promise<DriverInfo> {
    return Promise.resolve({
      name: "qemu",
      vsockPort: 0,
      virtioPort: GUEST_AGENT_PORT,
      instanceDir: this.#dir,
      // The chardev logfiles of serialArgs (cmdline.ts); only some exist on a given arch.
      consoleLogs: CONSOLE_LOGS.map((file) => join(this.#dir, file)),
      features: driverFeatures(qemuCapabilities(this.#host.mountTypes)),
    });
  }

  async #qmp<T>(fn: (client: QmpClient) => Promise<T>): Promise<T> {
    const client = await QmpClient.connect(join(this.#dir, "qmp.sock"));
    try {
      return await fn(client);
    } finally {
      client.close();
    }
  }

  async #running(): Promise<boolean> {
    return this.#child !== undefined ||
      (await readPidFile(join(this.#dir, "qemu.pid"))) > 0;
  }

  async #vncConnection(): Promise<string> {
    const info = await this.#qmp((c) => c.execute("query-vnc")) as {
      host?: string;
      service?: string;
      enabled?: boolean;
    };
    if (!info.enabled || !info.service) {
      throw new LimaError({ summary: "VNC is not enabled for this instance" });
    }
    return `${info.host ?? "127.0.0.1"}:${Number(info.service) - 5900}`;
  }

  async #startSwtpm(): Promise<void> {
    const state = join(this.#dir, "swtpm");
    const socket = join(this.#dir, "swtpm.sock");
    await Deno.mkdir(state, { recursive: true });
    this.#spawnHelper("swtpm", [
      "socket",
      "--tpmstate",
      `dir=${state}`,
      "--ctrl",
      `type=unixio,path=${socket}`,
      "--tpm2",
      "--terminate",
      "--log",
      "level=1",
    ]);
    await waitForPath(socket, 1000);
  }

  /** One daemon per mount, each serving its socket before QEMU connects to it. */
  async #startVirtiofsd(): Promise<void> {
    const qemuPrefix = dirname(
      dirname(await resolveExecutable(this.#binary().path)),
    );
    const daemon = await findVirtiofsd(
      descriptorDirs(qemuPrefix, Deno.env.get("HOME") ?? ""),
    );
    logger.debug("using virtiofsd", { ...daemon });
    for (const [i, mount] of (this.#config.mounts ?? []).entries()) {
      const socket = join(this.#dir, `virtiofsd-${i}.sock`);
      await Deno.remove(socket).catch(() => {});
      const { command, args } = virtiofsdCommand(daemon, {
        socket,
        dir: mount.location!,
        writable: mount.writable ?? false,
      });
      const tail: string[] = [];
      const child = this.#spawnHelper(command, args, (line) => {
        logger.debug(`virtiofsd-${i}[stderr]: ${line}`);
        tail.push(line);
        if (tail.length > 5) tail.shift();
      });
      if (await exitedBeforePath(child, socket, 5000)) {
        await child.status;
        throw new LimaError({
          summary: `virtiofsd for ${
            JSON.stringify(mount.location)
          } exited before creating its socket`,
          detail: [`${command} ${args.join(" ")}`, ...tail].join("\n"),
          path: `mounts[${i}]`,
        });
      }
      if (!(await exists(socket))) {
        throw new LimaError({
          summary: "virtiofsd did not create its socket",
          detail: socket,
          path: `mounts[${i}]`,
        });
      }
    }
  }

  /**
   * Starts a helper daemon (swtpm, virtiofsd) that lives as long as the VM; ONSTDERR gets its
   * error output line by line, else the output is dropped.
   */
  #spawnHelper(
    command: string,
    args: string[],
    onStderr?: (line: string) => void,
  ): Deno.ChildProcess {
    const child = new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: onStderr ? "piped" : "null",
      detached: true,
    }).spawn();
    if (onStderr) pump(child.stderr, onStderr).catch(() => {});
    this.#helpers.push(child);
    return child;
  }

  async #stopHelpers(): Promise<void> {
    for (const child of this.#helpers) {
      signal(child.pid, "SIGTERM");
      if (!(await waitForChild(child, 5000))) {
        signal(child.pid, "SIGKILL");
        await child.status;
      }
    }
    this.#helpers = [];
  }
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) onLine(line);
  }
  if (buffered.trim()) onLine(buffered);
}

/** The absolute path of an executable name, searching PATH. */
async function resolveExecutable(command: string): Promise<string> {
  if (command.includes("/")) return command;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const candidate = join(dir, command);
    try {
      if ((await Deno.stat(candidate)).isFile) return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return command;
}

/** Extra NICs use `-netdev stream` (QEMU 7.2 and later), as Lima does where QEMU has it. */
async function checkStreamNetdev(
  binary: QemuBinary,
  version: string,
): Promise<void> {
  const netdevs = await qemuHelp(binary, ["-M", "none", "-netdev", "help"]);
  if (/^stream$/m.test(netdevs)) return;
  throw new LimaError({
    summary: `QEMU ${version} has no "stream" netdev, which the networks need`,
    path: "networks",
    hint: "use QEMU 7.2 or later",
  });
}

/** Apple M4 and later (SME) cannot use `-cpu host` with hvf. */
async function hostHasSME(os: string): Promise<boolean> {
  if (os !== "darwin") return false;
  try {
    return (await runText(
      "sysctl",
      ["-n", "hw.optional.arm.FEAT_SME"],
      "read CPU features",
    )).trim() === "1";
  } catch {
    return false;
  }
}
