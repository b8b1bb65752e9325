/**
 * Reading a guest file over SFTP with many READ requests in flight, as OpenSSH's sftp and scp
 * do (`sftp -R`): ssh2's own read stream waits for each reply before asking for the next
 * chunk, which held a copy to one chunk per round trip.
 */
// @ts-types="@types/ssh2"
import type { SFTPWrapper } from "ssh2";
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { sftpCall } from "./sftp_call.ts";

/** Bytes one span asks for. */
const CHUNK = 64 * 1024;
/** Spans outstanding at once: 2 MiB in flight, the SSH channel's window. */
const DEPTH = 32;

/**
 * LENGTH bytes of HANDLE at OFFSET, fewer only at the end of the file. A server may answer a
 * READ short (its own size limit), so the rest is asked for at once, not after earlier spans.
 */
async function readSpan(
  sftp: SFTPWrapper,
  handle: Buffer,
  offset: number,
  length: number,
): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = await sftpCall<number>((cb) =>
      sftp.read(
        handle,
        buf,
        filled,
        length - filled,
        offset + filled,
        (err, n) => cb(err, n),
      )
    );
    if (n === 0) break;
    filled += n;
  }
  return buf.subarray(0, filled);
}

/** The contents of PATH in order, DEPTH spans ahead of the consumer. */
async function* spans(
  sftp: SFTPWrapper,
  path: string,
): AsyncGenerator<Buffer> {
  const handle = await sftpCall<Buffer>((cb) => sftp.open(path, "r", cb));
  const queue: Promise<Buffer>[] = [];
  let next = 0;
  const ask = () => {
    const span = readSpan(sftp, handle, next, CHUNK);
    // Spans still outstanding when the copy stops early are never awaited.
    span.catch(() => {});
    queue.push(span);
    next += CHUNK;
  };
  try {
    while (queue.length < DEPTH) ask();
    let data = await queue.shift()!;
    while (data.length === CHUNK) {
      yield data;
      ask();
      data = await queue.shift()!;
    }
    if (data.length > 0) yield data;
  } finally {
    await sftpCall((cb) => sftp.close(handle, (err) => cb(err, undefined)));
  }
}

/** A stream of PATH's contents read through SFTP. */
export function sftpReadStream(sftp: SFTPWrapper, path: string): Readable {
  return Readable.from(spans(sftp, path), { objectMode: false });
}
