/**
 * Choosing the accelerator (Lima's `pkg/driver/qemu/qemu.go`). A hardware accelerator is used only
 * after a short test boot succeeds with it: a `/dev/kvm` that QEMU accepts can still fail to run a
 * guest (nested or software-emulated KVM), so its presence alone proves nothing. On x86 the CPU
 * must also offer hardware virtualisation: a software KVM may run the test boot and still not run
 * Linux.
 */
import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import type { Arch } from "../../core/config/schema.ts";
import { logger } from "../../core/log.ts";
import type { QemuBinary } from "./binary.ts";
import { run, runText } from "../common/process.ts";
import { ifFound } from "../../core/if_found.ts";
import { withTimeout } from "../../core/timeout.ts";

export type Accelerator = "kvm" | "hvf" | "nvmm" | "whpx" | "tcg";

/** What the probe boot prints on the first serial port when the guest code ran. */
export const PROBE_MARKER = "LIMA-ACCEL-OK";

/**
 * A 1 MiB raw disk whose boot sector prints the marker on COM1 and halts. It runs in real
 * mode under SeaBIOS, so it needs no firmware file and no guest image.
 */
export function probeDisk(): Uint8Array {
  const code = [
    0x31,
    0xc0, //       xor ax, ax
    0x8e,
    0xd8, //       mov ds, ax
    0xba,
    0xf8,
    0x03, // mov dx, 0x3f8
    0xbe,
    0x16,
    0x7c, // mov si, message
    0xac, //             next: lodsb
    0x84,
    0xc0, //       test al, al
    0x74,
    0x03, //       jz halt
    0xee, //             out dx, al
    0xeb,
    0xf8, //       jmp next
    0xfa, //             halt: cli
    0xf4, //             hlt
    0xeb,
    0xfd, //       jmp hlt
  ];
  const disk = new Uint8Array(1024 * 1024);
  disk.set(code, 0);
  disk.set(new TextEncoder().encode(PROBE_MARKER + "\n\0"), code.length);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return disk;
}

/** The hardware accelerator QEMU would use on this host for a native guest, if any. */
export function nativeAccelerator(hostOS: string): Accelerator | undefined {
  switch (hostOS) {
    case "linux":
      return "kvm";
    case "darwin":
      return "hvf";
    case "netbsd":
      return "nvmm";
    case "windows":
      return "whpx";
    default:
      return undefined;
  }
}

/** Accelerators listed by `-accel help`. */
export async function listAccelerators(binary: QemuBinary): Promise<string[]> {
  const text = await runText(binary.path, [
    ...binary.extraArgs,
    "-M",
    "none",
    "-accel",
    "help",
  ], "list QEMU accelerators");
  return text.split("\n").slice(1).map((l) => l.trim()).filter(Boolean);
}

export interface ProbeOptions {
  binary: QemuBinary;
  accel: Accelerator;
  arch: Arch;
  /** CPU model for the test boot (the one the VM would get). */
  cpuType: string;
  timeoutMs?: number;
}

/**
 * Boots the probe disk with the accelerator; resolves to undefined on success or to the
 * reason it failed. Non-x86 guests have no probe payload: there the check is that QEMU keeps
 * running for the timeout with the accelerator enabled.
 */
export async function probeAccelerator(
  options: ProbeOptions,
): Promise<string | undefined> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const dir = await Deno.makeTempDir({ prefix: "lima-accel-probe-" });
  try {
    const x86 = options.arch === "x86_64";
    const args = [
      ...options.binary.extraArgs,
      "-accel",
      options.accel,
      "-cpu",
      options.cpuType,
    ];
    if (x86) {
      const disk = join(dir, "probe.img");
      await Deno.writeFile(disk, probeDisk());
      args.push(
        "-machine",
        "q35",
        "-drive",
        `file=${disk},format=raw,if=virtio,readonly=on`,
      );
    } else {
      args.push("-machine", "virt");
    }
    args.push(
      "-m",
      "64",
      "-nodefaults",
      "-no-user-config",
      "-display",
      "none",
      "-serial",
      "stdio",
    );
    const child = new Deno.Command(options.binary.path, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .spawn();
    const stderr = new Response(child.stderr).text();
    let output = "";
    const seen = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stdout) {
        output += decoder.decode(chunk, { stream: true });
        if (output.includes(PROBE_MARKER)) return "marker" as const;
      }
      return "closed" as const;
    })();
    const outcome = await withTimeout(
      Promise.race([seen, child.status.then(() => "exited" as const)]),
      timeoutMs,
      () => "timeout" as const,
    );
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await child.status;
    const errText = (await stderr).trim();
    if (outcome === "marker" || (!x86 && outcome === "timeout")) {
      return undefined;
    }
    if (outcome === "timeout") {
      return `the test guest printed nothing within ${timeoutMs / 1000} s`;
    }
    return errText.split("\n")[0] || "QEMU exited during the test boot";
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

export interface DetectOptions {
  binary: QemuBinary;
  arch: Arch;
  hostOS: string;
  hostArch: string;
  /** CPU model the accelerated VM would use (`host` unless configured). */
  cpuType: string;
  timeoutMs?: number;
  /** The text of /proc/cpuinfo (read when not given). */
  cpuinfo?: () => Promise<string>;
}

/**
 * Whether CPUINFO (the text of /proc/cpuinfo) shows an x86 CPU with hardware virtualisation,
 * the `vmx` or `svm` flag. Without either, a `/dev/kvm` comes from a software implementation
 * (such as the kvm_pvm module) that runs the test boot's real-mode code but not an unmodified
 * Linux kernel, which then prints nothing at all.
 */
export function hasHardwareVirtualization(cpuinfo: string): boolean {
  return /^flags\s*:.*\b(?:vmx|svm)\b/m.test(cpuinfo);
}

/** Why KVM cannot run a guest before any test boot, if that can be told. */
async function kvmUnusable(
  options: DetectOptions,
): Promise<string | undefined> {
  if (!(await kvmAccessible())) return "/dev/kvm is not available";
  if (options.hostArch !== "x86_64") return undefined;
  const cpuinfo = await (options.cpuinfo?.() ??
    ifFound(Deno.readTextFile("/proc/cpuinfo")));
  if (cpuinfo === undefined) return undefined;
  return hasHardwareVirtualization(cpuinfo)
    ? undefined
    : "the CPU offers no hardware virtualisation (no vmx or svm flag in /proc/cpuinfo), so /dev/kvm is a software KVM";
}

const decided = new Map<string, Accelerator>();

/**
 * The accelerator for a VM: the host's hypervisor when the guest arch is native, the
 * accelerator is available and a test boot works with it; otherwise TCG (with a warning when
 * a hypervisor was expected). Results are remembered per binary for the life of the process.
 */
export async function detectAccelerator(
  options: DetectOptions,
): Promise<Accelerator> {
  const native = nativeAccelerator(options.hostOS);
  if (!native || options.arch !== options.hostArch) return "tcg";
  const key = [
    options.binary.path,
    ...options.binary.extraArgs,
    options.arch,
    options.cpuType,
  ].join("\0");
  const known = decided.get(key);
  if (known) return known;
  const available = await listAccelerators(options.binary);
  if (!available.includes(native)) {
    throw new LimaError({
      summary: `accelerator ${
        JSON.stringify(native)
      } is not supported by ${options.binary.path}`,
    });
  }
  const unusable = native === "kvm" ? await kvmUnusable(options) : undefined;
  if (unusable) {
    logger.warn(`${unusable}; falling back to TCG (slow)`);
    decided.set(key, "tcg");
    return "tcg";
  }
  const failure = await probeAccelerator({ ...options, accel: native });
  const accel: Accelerator = failure ? "tcg" : native;
  if (failure) {
    logger.warn(
      `${native.toUpperCase()} cannot run a guest on this host; falling back to TCG (slow)`,
      {
        reason: failure,
      },
    );
  }
  decided.set(key, accel);
  return accel;
}

async function kvmAccessible(): Promise<boolean> {
  try {
    const file = await Deno.open("/dev/kvm", { read: true, write: true });
    file.close();
    return true;
  } catch {
    return false;
  }
}

/** Runs `qemu --help`-style probes used while building the command line. */
export async function qemuHelp(
  binary: QemuBinary,
  args: string[],
): Promise<string> {
  const result = await run(binary.path, [...binary.extraArgs, ...args]);
  return new TextDecoder().decode(result.stdout);
}
