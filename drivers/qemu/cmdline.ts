/**
 * The QEMU command line (Lima's `Cmdline` in `pkg/driver/qemu/qemu.go`), as a pure function of the
 * configuration and of facts gathered beforehand (accelerator, firmware, files present), so it can
 * be tested exactly.
 */
import { join } from "node:path";
import type { Arch, LimaYAML } from "../../core/config/schema.ts";
import { parseSize } from "../../core/config/units.ts";
import { LimaError } from "../../core/errors.ts";
import { mountTag } from "../../core/config/identity.ts";
import { compareVersions } from "../../core/config/semver.ts";
import { TUNNEL_VIRTIO_PORT } from "../../plugins/contract.ts";
import { isFastBoot } from "../common/fast_boot.ts";
import type { Accelerator } from "./accel.ts";
import type { NetworkAttachment } from "../../plugins/contract.ts";

/** The virtio-serial port name the guest agent writes to. */
export const GUEST_AGENT_PORT = "io.lima-vm.guest_agent.0";

/** The logfiles of the consoles serialArgs sets up: serial port, PCI serial (Arm), virtio console. */
export const CONSOLE_LOGS = ["serial.log", "serialp.log", "serialv.log"];

export interface QemuPlan {
  name: string;
  dir: string;
  /** The configured lima.yaml (driver defaults filled in). */
  config: LimaYAML;
  arch: Arch;
  hostOS: string;
  accel: Accelerator;
  cpuType: string;
  /** UEFI code image, or undefined to boot without one. */
  firmware?: string;
  /** Which of `iso`, `kernel`, `initrd`, `cidata.iso` exist in the instance directory. */
  files: { iso: boolean; kernel: boolean; initrd: boolean; cidata: boolean };
  /** Contents of `kernel.cmdline`. */
  kernelCmdline?: string;
  /** The kernel to boot instead of the instance's `kernel` (its PVH form). */
  kernel?: string;
  sshLocalPort: number;
  macAddress: string;
  /** The resolved `networks[]` entries to attach (user-v2 and `socket:` networks). */
  networks?: NetworkAttachment[];
  /** QEMU's version (`7.2.0`): newer ones reconnect a `socket:` network whose peer restarted. */
  qemuVersion?: string;
  /** `_disks/<name>/datadisk` of each additional disk, in order. */
  additionalDisks: string[];
  /** Leading words from `QEMU_SYSTEM_<ARCH>`. */
  extraArgs?: string[];
}

export interface QemuCommandLine {
  args: string[];
  warnings: string[];
}

/** Options QEMU must not be given twice; a user-supplied one wins. */
const EXCLUSIVE = [
  "-m",
  "-cpu",
  "-machine",
  "-accel",
  "-smp",
  "-boot",
  "-kernel",
  "-append",
  "-initrd",
  "-display",
];

const MiB = 1024 * 1024;

/**
 * What the fast path adds to the kernel command line under TCG, where every module load and
 * self-test is emulated (measured in docs/images.md): udev loads kvm_amd or kvm_intel for the
 * SVM or VMX flag of `-cpu max`, though nested virtualisation under emulation is of no use, and
 * the kernel tests each crypto algorithm as it registers. A blacklist only stops udev's
 * autoloading: `modprobe kvm_amd` still loads it.
 */
export const TCG_FAST_BOOT_ARGS =
  "modprobe.blacklist=kvm_amd,kvm_intel cryptomgr.notests=1";

function kernelAppend(plan: QemuPlan): string | undefined {
  const cmdline = plan.kernelCmdline;
  return plan.accel === "tcg" && isFastBoot(cmdline)
    ? `${cmdline} ${TCG_FAST_BOOT_ARGS}`
    : cmdline;
}

function machineArgs(arch: Arch, accel: Accelerator): string[] {
  const tcg = accel === "tcg";
  // A 128 MiB translation cache instead of QEMU's 1 GiB default keeps TCG's memory use near
  // the guest's own, at no measurable cost in boot time.
  const tcgAccel = ["-accel", "tcg,thread=multi,tb-size=128"];
  switch (arch) {
    case "x86_64":
      return tcg
        ? [
          "-machine",
          "q35,vmport=off",
          ...tcgAccel,
          "-global",
          "ICH9-LPC.disable_s3=1",
          "-global",
          "ICH9-LPC.disable_s4=1",
        ]
        : ["-machine", `q35,accel=${accel}`];
    case "riscv64":
      return tcg
        ? ["-machine", "virt,acpi=off", ...tcgAccel]
        : ["-machine", `virt,acpi=off,accel=${accel}`];
    case "ppc64le":
      return tcg
        ? ["-machine", "pseries", ...tcgAccel]
        : ["-machine", `pseries,accel=${accel}`];
    case "s390x":
      return tcg
        ? ["-machine", "s390-ccw-virtio", ...tcgAccel]
        : ["-machine", `s390-ccw-virtio,accel=${accel}`];
    default:
      return tcg
        ? ["-machine", "virt", ...tcgAccel]
        : ["-machine", `virt,accel=${accel}`];
  }
}

function audioArgs(config: LimaYAML, hostOS: string): string[] {
  const device = config.audio?.device ?? "";
  if (device === "" || device === "none") return ["-audiodev", "none,id=snd0"];
  const backend = device === "default"
    ? { darwin: "coreaudio", linux: "pa", windows: "dsound" }[hostOS] ?? "oss"
    : device;
  const devices = config.audio?.interface === "virtio"
    ? ["-device", "virtio-sound-pci,audiodev=snd0"]
    : ["-device", "ich9-intel-hda", "-device", "hda-output,audiodev=snd0"];
  return ["-audiodev", `${backend},id=snd0`, ...devices];
}

function displayArgs(config: LimaYAML, arch: Arch, hostOS: string): string[] {
  const display = config.video?.display || "none";
  if (display === "none") return ["-display", "none", "-vga", "none"];
  const vnc = display === "vnc";
  const args = [
    "-display",
    vnc
      ? `vnc=${config.video?.vnc?.display ?? "127.0.0.1:0,to=9"},password=on`
      : display,
  ];
  const gpu = hostOS === "windows"
    ? "ramfb"
    : arch === "x86_64" || arch === "riscv64"
    ? "virtio-vga"
    : "virtio-gpu";
  args.push(
    "-device",
    gpu,
    "-device",
    "virtio-keyboard-pci",
    "-device",
    vnc ? "virtio-tablet-pci" : "virtio-mouse-pci",
  );
  return args;
}

function serialArgs(dir: string, arch: Arch, guestOS: string): string[] {
  const socket = (id: string, file: string) =>
    `socket,id=${id},path=${
      join(dir, `${file}.sock`)
    },server=on,wait=off,logfile=${join(dir, `${file}.log`)}`;
  const args = [
    "-chardev",
    socket("char-serial", "serial"),
    "-serial",
    "chardev:char-serial",
  ];
  if (arch === "aarch64" || arch === "armv7l") {
    args.push(
      "-chardev",
      socket("char-serial-pci", "serialp"),
      "-device",
      "pci-serial,chardev=char-serial-pci",
    );
  }
  if (guestOS !== "Windows") {
    args.push(
      "-chardev",
      socket("char-serial-virtio", "serialv"),
      "-device",
      `virtio-serial-pci,id=virtio-serial0,max_ports=${
        arch === "s390x" ? 2 : 1
      }`,
      "-device",
      "virtconsole,chardev=char-serial-virtio,id=console0",
    );
  }
  return args;
}

function mountArgs(plan: QemuPlan): string[] {
  const args: string[] = [];
  const type = plan.config.mountType;
  (plan.config.mounts ?? []).forEach((mount, i) => {
    const location = mount.location!;
    const tag = mountTag(location, mount.mountPoint ?? location);
    if (type === "9p") {
      let virtfs = `local,mount_tag=${tag},path=${location},security_model=${
        mount["9p"]?.securityModel ?? "none"
      }`;
      if (!mount.writable) virtfs += ",readonly=on";
      args.push("-virtfs", virtfs);
    } else if (type === "virtiofs") {
      args.push(
        "-chardev",
        `socket,id=char-virtiofs-${i},path=${
          join(plan.dir, `virtiofsd-${i}.sock`)
        }`,
        "-device",
        `vhost-user-fs-pci,queue-size=${
          mount.virtiofs?.queueSize ?? 1024
        },chardev=char-virtiofs-${i},tag=${tag}`,
      );
    }
  });
  return args;
}

/**
 * The NICs: NIC 0 on QEMU's user-mode network, or on the first user-v2 network when there is one
 * (its daemon then forwards SSH); further networks as `net<index + 1>`, as Lima numbers them.
 * A stream netdev connects to the daemon's socket by path (QEMU 7.2+), with the same framing as
 * Lima's `socket,fd=`.
 */
function networkArgs(plan: QemuPlan): string[] {
  const nic = plan.arch === "s390x" ? "virtio-net-ccw" : "virtio-net-pci";
  const attachments = plan.networks ?? [];
  // QEMU reads ",," in an option value as one comma.
  const stream = (id: string, path: string) =>
    `stream,id=${id},server=off,addr.type=unix,addr.path=${
      path.replaceAll(",", ",,")
    }`;
  const first = attachments.find((a) => a.nic0);
  const args = [
    "-netdev",
    first
      ? stream("net0", first.socketPath)
      : `user,id=net0,net=192.168.5.0/24,dhcpstart=192.168.5.15,hostfwd=tcp:127.0.0.1:${plan.sshLocalPort}-:22`,
    "-device",
    `${nic},netdev=net0,mac=${plan.macAddress}`,
  ];
  for (const a of attachments) {
    if (a.nic0) continue;
    const id = `net${a.index + 1}`;
    const reconnect = a.kind === "socket"
      ? streamReconnect(plan.qemuVersion)
      : "";
    args.push(
      "-netdev",
      stream(id, a.socketPath) + reconnect,
      "-device",
      `${nic},netdev=${id},mac=${a.macAddress}`,
    );
  }
  return args;
}

/**
 * A socket_vmnet that restarts is connected to again where QEMU can, as Lima does for its
 * socket_vmnet networks (`Cmdline` in Lima's `pkg/driver/qemu/qemu.go`).
 */
function streamReconnect(qemuVersion = "0.0.0"): string {
  const atLeast = (v: string) => (compareVersions(qemuVersion, v) ?? -1) >= 0;
  if (atLeast("9.2.0")) return ",reconnect-ms=500";
  if (atLeast("8.0.0")) return ",reconnect=1";
  return "";
}

/** Memory size in MiB from a lima.yaml size string. */
export function memoryMiB(config: LimaYAML): number {
  if (!config.memory) {
    throw new LimaError({
      summary: "the memory size is not set",
      path: "memory",
    });
  }
  try {
    return Math.floor(parseSize(config.memory) / MiB);
  } catch (err) {
    throw new LimaError({
      summary: "the memory size is invalid",
      path: "memory",
      detail: String(err),
    });
  }
}

/** Builds the QEMU arguments in the order of Lima's `Cmdline`. */
export function qemuCommandLine(plan: QemuPlan): QemuCommandLine {
  const { dir, arch, config } = plan;
  const extra = plan.extraArgs ?? [];
  const warnings: string[] = [];
  const args: string[] = [...extra];
  const add = (...words: string[]) => {
    const conflict = EXCLUSIVE.includes(words[0]) && extra.includes(words[0]);
    if (conflict) {
      warnings.push(
        `Not adding QEMU argument ${
          JSON.stringify(words.join(" "))
        }, as it conflicts with ${JSON.stringify(extra.join(" "))}`,
      );
      return;
    }
    args.push(...words);
  };
  const guestOS = config.os ?? "Linux";
  const cpus = config.cpus ?? 1;
  const mib = memoryMiB(config);

  add("-m", String(mib));
  if (config.mountType === "virtiofs" && (config.mounts ?? []).length > 0) {
    args.push(
      "-object",
      `memory-backend-file,id=virtiofs-shm,size=${
        mib * MiB
      },mem-path=/dev/shm,share=on`,
      "-numa",
      "node,memdev=virtiofs-shm",
    );
  }
  add("-cpu", plan.cpuType);
  const machine = machineArgs(arch, plan.accel);
  const accelAt = machine.indexOf("-accel");
  if (accelAt >= 0) {
    add(...machine.slice(0, 2));
    add(...machine.slice(accelAt, accelAt + 2));
    args.push(...machine.slice(2, accelAt), ...machine.slice(accelAt + 2));
  } else {
    add(...machine);
  }
  add("-smp", `${cpus},sockets=1,cores=${cpus},threads=1`);
  if (plan.firmware) {
    args.push(
      "-drive",
      `if=pflash,format=raw,readonly=on,file=${plan.firmware}`,
    );
  }
  args.push("-device", "qemu-xhci,id=usb-bus");

  const disk = join(dir, "disk");
  if (plan.files.iso) {
    args.push("-drive", `file=${disk},if=virtio,discard=on`);
    add("-boot", "order=d,splash-time=0,menu=on");
    args.push(
      "-drive",
      `file=${join(dir, "iso")},format=raw,media=cdrom,readonly=on`,
    );
  } else {
    args.push(
      "-drive",
      `file=${disk},if=none,discard=on,id=boot-disk`,
      "-device",
      `${
        arch === "s390x" ? "virtio-blk-ccw" : "virtio-blk-pci"
      },drive=boot-disk,bootindex=1`,
    );
    add("-boot", "order=c,splash-time=0,menu=on");
  }
  for (const extraDisk of plan.additionalDisks) {
    args.push("-drive", `file=${extraDisk},if=virtio,discard=on`);
  }
  if (plan.files.cidata) {
    args.push(
      "-drive",
      `id=cdrom0,if=none,format=raw,readonly=on,file=${
        join(dir, "cidata.iso")
      }`,
      "-device",
      "virtio-scsi,id=scsi0",
      "-device",
      "scsi-cd,bus=scsi0.0,drive=cdrom0",
    );
  }
  if (plan.files.kernel) {
    add("-kernel", plan.kernel ?? join(dir, "kernel"));
    const append = kernelAppend(plan);
    if (append) add("-append", append);
    if (plan.files.initrd) add("-initrd", join(dir, "initrd"));
  }
  if (config.tpm && plan.hostOS !== "windows") {
    args.push(
      "-chardev",
      `socket,id=chrtpm,path=${join(dir, "swtpm.sock")}`,
      "-tpmdev",
      "emulator,id=tpm0,chardev=chrtpm",
      "-device",
      `${arch === "x86_64" ? "tpm-crb" : "tpm-tis-device"},tpmdev=tpm0`,
    );
  }
  args.push(...networkArgs(plan));
  args.push("-device", "virtio-rng-pci");
  args.push(...audioArgs(config, plan.hostOS));
  const display = displayArgs(config, arch, plan.hostOS);
  add(...display.slice(0, 2));
  args.push(...display.slice(2));
  args.push("-parallel", "none");
  args.push(...serialArgs(dir, arch, guestOS));
  args.push(...mountArgs(plan));
  args.push(
    "-chardev",
    `socket,id=char-qmp,path=${join(dir, "qmp.sock")},server=on,wait=off`,
    "-qmp",
    "chardev:char-qmp",
  );
  // The guest agent reports listening sockets on this port from early boot on, without SSH.
  args.push(
    "-chardev",
    `socket,path=${join(dir, "ga.sock")},server=on,wait=off,id=qga0`,
    "-device",
    "virtio-serial",
    "-device",
    `virtserialport,chardev=qga0,name=${GUEST_AGENT_PORT}`,
    // Forwarded TCP connections, on a port of their own so bulk data never delays the events.
    "-chardev",
    `socket,path=${join(dir, "tunnel.sock")},server=on,wait=off,id=tunnel0`,
    "-device",
    `virtserialport,chardev=tunnel0,name=${TUNNEL_VIRTIO_PORT}`,
  );
  args.push("-name", `lima-${plan.name}`, "-pidfile", join(dir, "qemu.pid"));
  return { args, warnings };
}
