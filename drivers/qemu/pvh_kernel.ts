/**
 * The uncompressed kernel inside an x86 bzImage, booted through its PVH entry point. Under an
 * emulated CPU the bzImage spends seconds decompressing itself; QEMU loads an ELF kernel with a
 * PVH note directly (`-kernel vmlinux`, SeaBIOS only). The ELF is extracted once beside the
 * instance's `kernel` and used while it is newer than that file.
 */
import { join } from "node:path";
import { compressionFromMagic, decompressor } from "../../core/decompress.ts";
import { logger } from "../../core/log.ts";
import { temporaryPath } from "../../core/store/temporary.ts";

/** The extracted kernel; an empty file records that the instance's kernel has no PVH entry. */
export const PVH_KERNEL = "kernel.pvh";

/** Where the compressed kernel lies in a bzImage, from its setup header. */
export interface Payload {
  offset: number;
  /** Without the 4-byte uncompressed size the kernel build appends. */
  length: number;
}

/**
 * The payload of a bzImage whose first 1 KiB is HEAD (Linux boot protocol 2.08 or later:
 * `payload_offset` and `payload_length` in the setup header, Documentation/arch/x86/boot.rst),
 * or undefined when HEAD is not such a bzImage.
 */
export function bzImagePayload(head: Uint8Array): Payload | undefined {
  if (head.length < 0x250) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = new TextDecoder().decode(head.subarray(0x202, 0x206));
  if (magic !== "HdrS" || view.getUint16(0x206, true) < 0x208) {
    return undefined;
  }
  // A setup_sects of 0 means 4 (boot.rst).
  const setupSectors = head[0x1f1] || 4;
  const length = view.getUint32(0x24c, true) - 4;
  if (length <= 0) return undefined;
  return {
    offset: (setupSectors + 1) * 512 + view.getUint32(0x248, true),
    length,
  };
}

const PT_NOTE = 4;
/** `XEN_ELFNOTE_PHYS32_ENTRY`: the 32-bit entry point QEMU's PVH loader looks for. */
const PHYS32_ENTRY = 18;

/** Whether ELF (a 64-bit little-endian ELF file) carries a PVH entry note. */
export function hasPvhNote(elf: Uint8Array): boolean {
  const elfMagic = [0x7f, 0x45, 0x4c, 0x46];
  if (elf.length < 64 || !elfMagic.every((b, i) => elf[i] === b)) {
    return false;
  }
  if (elf[4] !== 2 || elf[5] !== 1) return false;
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = Number(view.getBigUint64(0x20, true));
  const phentsize = view.getUint16(0x36, true);
  const phnum = view.getUint16(0x38, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 0x28 > elf.length || view.getUint32(ph, true) !== PT_NOTE) {
      continue;
    }
    const start = Number(view.getBigUint64(ph + 8, true));
    const size = Number(view.getBigUint64(ph + 0x20, true));
    if (hasNote(view, start, Math.min(start + size, elf.length))) return true;
  }
  return false;
}

const align4 = (n: number) => (n + 3) & ~3;

function hasNote(view: DataView, start: number, end: number): boolean {
  for (let at = start; at + 12 <= end;) {
    const nameSize = view.getUint32(at, true);
    const descSize = view.getUint32(at + 4, true);
    const type = view.getUint32(at + 8, true);
    const name = new TextDecoder().decode(
      new Uint8Array(view.buffer, view.byteOffset + at + 12, nameSize),
    );
    if (name === "Xen\0" && type === PHYS32_ENTRY) return true;
    at += 12 + align4(nameSize) + align4(descSize);
  }
  return false;
}

/**
 * The PVH kernel of the instance in DIR: `kernel.pvh`, extracted from `kernel` when missing or
 * older than it. Undefined when `kernel` is no bzImage, its compression has no decompressor
 * here, or the kernel lacks a PVH entry: then the instance boots `kernel` itself.
 */
export async function pvhKernel(dir: string): Promise<string | undefined> {
  const source = join(dir, "kernel");
  const target = join(dir, PVH_KERNEL);
  const [src, cached] = await Promise.all([
    Deno.stat(source),
    Deno.stat(target).catch(() => undefined),
  ]);
  const fresh = cached &&
    (cached.mtime?.getTime() ?? 0) >= (src.mtime?.getTime() ?? 0);
  if (fresh) return cached.size > 0 ? target : undefined;
  let elf: Uint8Array | undefined;
  try {
    elf = await uncompressedKernel(await Deno.readFile(source));
  } catch (err) {
    // No decompressor on this host: boot the bzImage, and try again next time.
    logger.debug("Cannot extract the PVH kernel", { error: String(err) });
    return undefined;
  }
  const pvh = elf && hasPvhNote(elf) ? elf : new Uint8Array();
  const tmp = temporaryPath(dir, PVH_KERNEL);
  await Deno.writeFile(tmp, pvh);
  await Deno.rename(tmp, target);
  return pvh.length > 0 ? target : undefined;
}

/** The decompressed payload of the bzImage KERNEL, or undefined. */
async function uncompressedKernel(
  kernel: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array | undefined> {
  const payload = bzImagePayload(kernel.subarray(0, 1024));
  if (!payload || payload.offset + payload.length > kernel.length) {
    return undefined;
  }
  const data = kernel.subarray(payload.offset, payload.offset + payload.length);
  const kind = compressionFromMagic(data);
  if (!kind) return undefined;
  const tool = decompressor(kind, "the kernel");
  const [out] = await Promise.all([
    new Response(tool.readable).bytes(),
    new Blob([data]).stream().pipeTo(tool.writable),
  ]);
  await tool.done;
  // The size the kernel build appended after the payload tells a complete result.
  const size = new DataView(kernel.buffer, kernel.byteOffset)
    .getUint32(payload.offset + payload.length, true);
  return out.length === size ? out : undefined;
}
