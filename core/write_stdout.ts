/** Writes TEXT to FILE whole (one `writeSync` may write only part of it to a pipe). */
export function writeAllSync(
  file: { writeSync(p: Uint8Array): number },
  text: string,
): void {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) {
    written += file.writeSync(bytes.subarray(written));
  }
}

/** Writes TEXT to stdout whole. */
export function writeStdout(text: string): void {
  writeAllSync(Deno.stdout, text);
}
