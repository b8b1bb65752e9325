/**
 * The fast boot path (docs/images.md): a kernel command line with `cloud-init=disabled` boots
 * through the seed's lima-init. Where it is chosen, a driver may boot the instance's kernel in
 * a faster form than the file the template names (the qemu driver: its PVH entry, which skips
 * the kernel's self-decompression and with it the randomised kernel base the decompressor
 * picks, so the default path keeps booting the file as Lima does), and the guest leaves out
 * units nothing of Lima's uses.
 */
export function isFastBoot(cmdline: string | undefined): boolean {
  return /(?:^|\s)cloud-init=disabled(?:\s|$)/.test(cmdline ?? "");
}

/**
 * Units systemd starts early that neither Lima nor a container engine needs: the debug and
 * tracing file systems, huge pages, pstore crash-log archiving, and modules loaded ahead of
 * need (udev still loads drm and dm_mod for a device that wants them). Each costs a process or
 * a mount while the emulated CPUs are busiest. Masked from the command line, so the image stays
 * as it is and the default path keeps them.
 */
export const FAST_BOOT_MASKED_UNITS = [
  "sys-kernel-debug.mount",
  "sys-kernel-tracing.mount",
  "dev-hugepages.mount",
  "systemd-pstore.service",
  "modprobe@efi_pstore.service",
  "modprobe@drm.service",
  "modprobe@dm_mod.service",
];

/** CMDLINE with the fast path's masked units, or as it is on the default path. */
export function fastBootCmdline(
  cmdline: string | undefined,
): string | undefined {
  if (!isFastBoot(cmdline)) return cmdline;
  return [cmdline, ...FAST_BOOT_MASKED_UNITS.map((u) => `systemd.mask=${u}`)]
    .join(" ");
}
