/** Reading a whole stream without letting an endless or oversized source exhaust memory. */

/**
 * All of STREAM, or the error TOO_LARGE makes once it passes MAX_BYTES: an endless source
 * (`/dev/zero`, a pipe that never closes, a server that never stops) costs at most MAX_BYTES.
 */
export async function readCapped(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop by throwing cancels the stream (and closes a file or socket behind it).
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
