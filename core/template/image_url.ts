/**
 * Image-URL locators (Lima's `pkg/limatmpl/locator.go`): a locator naming a disk image
 * instead of a template gets a minimal synthesized template, and an instance name derived
 * from the image's file name.
 */
import { hostArch } from "../config/host.ts";
import { logger } from "../log.ts";

/** Disk image extensions, optionally followed by a compression suffix. */
const IMAGE_SUFFIX = /\.(img|qcow2|raw|iso|ipsw)(\.(gz|xz|bz2|zstd))?$/;

/** Words in an image file name that give away its architecture, and Lima's name for it. */
const ARCH_KEYWORDS: Record<string, string> = {
  aarch64: "aarch64",
  amd64: "x86_64",
  arm64: "aarch64",
  armhf: "armv7l",
  armv7l: "armv7l",
  ppc64el: "ppc64le",
  ppc64le: "ppc64le",
  riscv64: "riscv64",
  s390x: "s390x",
  x86_64: "x86_64",
};

/** Distribution labels that say nothing about which system the image holds. */
const GENERIC_TAGS = [
  "base",
  "basic",
  "cloud",
  "cloudimg",
  "cloudinit",
  "current",
  "daily",
  "default",
  "generic",
  "genericcloud",
  "kvm",
  "latest",
  "linux",
  "minimal",
  "openstack",
  "release",
  "restore",
  "server",
  "std",
  "stream",
  "uefi",
  "vm",
];

/** Whether the locator names a disk image rather than a template. */
export function isImageURL(locator: string): boolean {
  return IMAGE_SUFFIX.test(locator);
}

/** The guest OS an image file name suggests: macOS restore images, FreeBSD, else Linux. */
export function guessImageOS(locator: string): "Linux" | "Darwin" | "FreeBSD" {
  if (/\.ipsw(\.\w+)?$/i.test(locator) || /macos|universalmac/i.test(locator)) {
    return "Darwin";
  }
  if (/freebsd/i.test(locator)) return "FreeBSD";
  return "Linux";
}

/** The architecture named in an image file name, or undefined when none is. */
export function guessImageArch(locator: string): string | undefined {
  for (const [keyword, arch] of Object.entries(ARCH_KEYWORDS)) {
    if (new RegExp(`\\b${keyword}\\b`).test(locator)) return arch;
  }
  return undefined;
}

/**
 * The instance name for an image file: the file name without its extension, distro
 * boilerplate, build dates or the host's own architecture.
 */
export function instanceNameFromImageURL(
  locator: string,
  imageArch: string,
): string {
  let name = locator.slice(locator.lastIndexOf("/") + 1).toLowerCase();
  name = name.replace(IMAGE_SUFFIX, "");
  name = name.replace(/^nocloud_/, "");
  for (const tag of GENERIC_TAGS) {
    name = name.replace(new RegExp(`[-_.]${tag}\\b`, "g"), "");
  }
  if (imageArch === hostArch()) {
    name = name.replace(new RegExp(`[-_.]${imageArch}\\b`, "g"), "");
  }
  name = name.replace(/[-_.]20\d{6}([-_.]\d+)?\b/g, "");
  name = name.replace(/^arch\b/, "archlinux");
  name = name.replace(
    /-(\d+)-(\d+)\./g,
    (match, a, b) => a === b ? `-${a}.` : match,
  );
  name = name.replace(/^universalmac_/, "macos-");
  return name;
}

/** The template synthesized for an image URL, and the instance name derived from it. */
export function imageTemplate(locator: string): { name: string; text: string } {
  const os = guessImageOS(locator);
  let arch = os === "Darwin" ? "aarch64" : guessImageArch(locator);
  if (arch === undefined) {
    arch = hostArch();
    logger.warn(
      `cannot determine image arch from URL "${locator}"; assuming "${arch}"`,
    );
  }
  const q = JSON.stringify;
  const text = `os: ${q(os)}\narch: ${q(arch)}\nimages:\n- location: ${
    q(locator)
  }\n  arch: ${q(arch)}\n`;
  return { name: instanceNameFromImageURL(locator, arch), text };
}
