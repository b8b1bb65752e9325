/** Whether a file is an ISO9660 image (`CD001` at sector 16). */
export async function isISO9660(path: string): Promise<boolean> {
  const file = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(5);
    await file.seek(0x8001, Deno.SeekMode.Start);
    const n = await file.read(buf);
    return n === 5 && new TextDecoder().decode(buf) === "CD001";
  } finally {
    file.close();
  }
}
