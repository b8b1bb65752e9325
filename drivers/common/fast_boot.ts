/**
 * The fast boot path (docs/images.md): a kernel command line with `cloud-init=disabled` boots
 * through the seed's lima-init. Where it is chosen, a driver may boot the instance's kernel in
 * a faster form than the file the template names (the qemu driver: its PVH entry, which skips
 * the kernel's self-decompression and with it the randomised kernel base the decompressor
 * picks, so the default path keeps booting the file as Lima does).
 */
export function isFastBoot(cmdline: string | undefined): boolean {
  return /(?:^|\s)cloud-init=disabled(?:\s|$)/.test(cmdline ?? "");
}
