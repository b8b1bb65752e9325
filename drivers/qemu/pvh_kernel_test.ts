import assert from "node:assert/strict";
import { join } from "node:path";
import {
  bzImagePayload,
  hasPvhNote,
  PVH_KERNEL,
  pvhKernel,
} from "./pvh_kernel.ts";

/** A 64-bit ELF whose one PT_NOTE segment holds a note NAME of TYPE, then FILLER bytes. */
function elf(
  name: string,
  type: number,
  filler = "kernel text",
): Uint8Array<ArrayBuffer> {
  const nameBytes = new TextEncoder().encode(name);
  const noteSize = 12 + ((nameBytes.length + 3) & ~3) + 4;
  const noteAt = 64 + 56;
  const out = new Uint8Array(noteAt + noteSize + filler.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setBigUint64(0x20, 64n, true); // e_phoff
  v.setUint16(0x36, 56, true); // e_phentsize
  v.setUint16(0x38, 1, true); // e_phnum
  v.setUint32(64, 4, true); // PT_NOTE
  v.setBigUint64(64 + 8, BigInt(noteAt), true);
  v.setBigUint64(64 + 0x20, BigInt(noteSize), true);
  v.setUint32(noteAt, nameBytes.length, true);
  v.setUint32(noteAt + 4, 4, true);
  v.setUint32(noteAt + 8, type, true);
  out.set(nameBytes, noteAt + 12);
  out.set(new TextEncoder().encode(filler), noteAt + noteSize);
  return out;
}

const pvhElf = (filler?: string) => elf("Xen\0", 18, filler);

/** A bzImage (boot protocol 2.15) carrying PAYLOAD gzipped, as the kernel build lays it out. */
async function bzImage(
  payload: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const gz = await new Response(
    new Blob([payload]).stream().pipeThrough(new CompressionStream("gzip")),
  ).bytes();
  const setup = 2 * 512; // setup_sects 1, plus the boot sector
  const offset = 100; // payload_offset, from the start of the protected-mode code
  const out = new Uint8Array(setup + offset + gz.length + 4);
  const v = new DataView(out.buffer);
  out[0x1f1] = 1;
  out.set(new TextEncoder().encode("HdrS"), 0x202);
  v.setUint16(0x206, 0x20f, true);
  v.setUint32(0x248, offset, true);
  v.setUint32(0x24c, gz.length + 4, true);
  out.set(gz, setup + offset);
  v.setUint32(setup + offset + gz.length, payload.length, true);
  return out;
}

Deno.test("bzImagePayload finds the compressed kernel from the setup header", async () => {
  const image = await bzImage(pvhElf());
  const payload = bzImagePayload(image.subarray(0, 1024));
  assert.equal(payload?.offset, 2 * 512 + 100);
  assert.deepEqual(
    [...image.subarray(payload!.offset, payload!.offset + 2)],
    [0x1f, 0x8b],
  );
  assert.equal(bzImagePayload(pvhElf()), undefined);
});

Deno.test("hasPvhNote looks for Xen's 32-bit entry note", () => {
  assert.equal(hasPvhNote(pvhElf()), true);
  assert.equal(hasPvhNote(elf("Xen\0", 17)), false);
  assert.equal(hasPvhNote(elf("GNU\0", 18)), false);
  assert.equal(
    hasPvhNote(new TextEncoder().encode("MZ not an ELF file")),
    false,
  );
});

Deno.test("pvhKernel extracts the ELF once and again when the kernel changes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kernel = join(dir, "kernel");
    await Deno.writeFile(kernel, await bzImage(pvhElf("first")));
    const path = await pvhKernel(dir);
    assert.equal(path, join(dir, PVH_KERNEL));
    assert.deepEqual(await Deno.readFile(path), pvhElf("first"));

    // A kernel written later (the instance's kernel replaced) is extracted again.
    await Deno.writeFile(kernel, await bzImage(pvhElf("second")));
    const later = new Date(Date.now() + 2000);
    await Deno.utime(kernel, later, later);
    assert.deepEqual(
      await Deno.readFile((await pvhKernel(dir))!),
      pvhElf("second"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pvhKernel leaves a kernel without a PVH entry to boot as it is", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(join(dir, "kernel"), await bzImage(elf("GNU\0", 18)));
    assert.equal(await pvhKernel(dir), undefined);
    // The empty marker spares the next start the decompression.
    assert.equal((await Deno.stat(join(dir, PVH_KERNEL))).size, 0);
    assert.equal(await pvhKernel(dir), undefined);

    await Deno.writeFile(join(dir, "kernel"), pvhElf());
    const later = new Date(Date.now() + 2000);
    await Deno.utime(join(dir, "kernel"), later, later);
    assert.equal(await pvhKernel(dir), undefined, "an ELF kernel boots itself");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pvhKernel boots the bzImage when its payload does not decompress, and tries again next time", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const image = await bzImage(pvhElf());
    const payload = bzImagePayload(image)!;
    image.fill(0x55, payload.offset + 10, payload.offset + payload.length);
    await Deno.writeFile(join(dir, "kernel"), image);
    assert.equal(await pvhKernel(dir), undefined);
    await assert.rejects(
      Deno.stat(join(dir, PVH_KERNEL)),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
