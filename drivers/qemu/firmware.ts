/**
 * Locating the UEFI code image for `-drive if=pflash` (`getFirmware` in Lima's
 * `pkg/driver/qemu/qemu.go`).
 */
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import type { Arch } from "../../core/config/schema.ts";

const EDK2_ARCH: Partial<Record<Arch, string>> = {
  x86_64: "x86_64",
  aarch64: "aarch64",
  armv7l: "arm",
  riscv64: "riscv",
};

const DISTRO_PATHS: Partial<Record<Arch, string[]>> = {
  x86_64: [
    "/usr/share/edk2/x64/OVMF_CODE.4m.fd",
    "/usr/share/OVMF/OVMF_CODE.fd",
    "/usr/share/OVMF/OVMF_CODE_4M.fd",
    "/usr/share/edk2/ovmf/OVMF_CODE.fd",
    "/usr/share/qemu/ovmf-x86_64.bin",
    "/usr/share/qemu/ovmf-x86_64-4m.bin",
  ],
  aarch64: [
    "/usr/share/edk2/aarch64/QEMU_CODE.fd",
    "/usr/share/AAVMF/AAVMF_CODE.fd",
    "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd",
  ],
  armv7l: [
    "/usr/share/edk2/arm/QEMU_CODE.fd",
    "/usr/share/AAVMF/AAVMF32_CODE.fd",
  ],
  riscv64: [
    "/usr/share/qemu-efi-riscv64/RISCV_VIRT_CODE.fd",
    "/usr/share/edk2/riscv/RISCV_VIRT_CODE.fd",
  ],
};

/** Whether the arch boots through UEFI firmware at all (ppc64le and s390x do not). */
export function usesFirmware(arch: Arch, legacyBIOS: boolean): boolean {
  if (arch === "ppc64le" || arch === "s390x") return false;
  return !(legacyBIOS && (arch === "x86_64" || arch === "armv7l"));
}

/**
 * Candidate firmware files in search order: the instance's own copy, then QEMU's bundled
 * edk2 images next to the binary, then distro packages (`extraPaths` first, for hosts with
 * other layouts).
 */
export function firmwareCandidates(
  options: {
    arch: Arch;
    instanceDir: string;
    qemuPath: string;
    home?: string;
    extraPaths?: string[];
  },
): string[] {
  const edk2 = EDK2_ARCH[options.arch];
  const candidates = [join(options.instanceDir, "qemu-efi-code.fd")];
  if (edk2) {
    const binDir = dirname(options.qemuPath);
    candidates.push(
      join(
        options.home ?? homedir(),
        ".local/share/qemu",
        `edk2-${edk2}-code.fd`,
      ),
      join(dirname(binDir), "share/qemu", `edk2-${edk2}-code.fd`),
      join(binDir, "share", `edk2-${edk2}-code.fd`),
    );
  }
  return [
    ...candidates,
    ...(options.extraPaths ?? []),
    ...(DISTRO_PATHS[options.arch] ?? []),
  ];
}

/** The first candidate that exists, or a `LimaError` listing where it looked. */
export async function findFirmware(
  candidates: string[],
  arch: Arch,
): Promise<string> {
  for (const path of candidates) {
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch {
      // Not there; keep looking.
    }
  }
  throw new LimaError({
    summary: `could not find firmware for ${JSON.stringify(arch)}`,
    detail: `tried ${candidates.join(", ")}`,
    hint: arch === "x86_64"
      ? "set `firmware.legacyBIOS: true` to boot without UEFI"
      : undefined,
  });
}
