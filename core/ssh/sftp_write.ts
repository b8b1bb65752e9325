/**
 * Writing a guest file over SFTP with many WRITE requests in flight, as OpenSSH's sftp and
 * scp do: ssh2's own write stream waits for each reply before sending the next chunk, which
 * held a copy to one chunk per round trip.
 */
// @ts-types="@types/ssh2"
import type { SFTPWrapper } from "ssh2";
import type { Buffer } from "node:buffer";
import { Writable } from "node:stream";
import { sftpCall } from "./sftp_call.ts";

/**
 * WRITEs outstanding at once (512 KiB of the host's 64 KiB file chunks). A deeper queue made
 * the guest work harder for each byte: 64 MiB to an emulated guest took 9-12 s at 8 against
 * 12-16 s at 32, with a fifth less of the guest's CPU time.
 */
const DEPTH = 8;

type Done = (err?: Error | null) => void;

/** Opens PATH for writing; MODE is set as ssh2's write stream set it, on new and old files. */
async function openForWrite(
  sftp: SFTPWrapper,
  path: string,
  mode: number,
): Promise<Buffer> {
  const handle = await sftpCall<Buffer>((cb) =>
    sftp.open(path, "w", { mode }, cb)
  );
  // Servers without fchmod get chmod; neither is worth failing the copy for.
  await sftpCall((cb) => sftp.fchmod(handle, mode, (err) => cb(err, 0)))
    .catch(() => sftpCall((cb) => sftp.chmod(path, mode, (err) => cb(err, 0))))
    .catch(() => {});
  return handle;
}

/**
 * A stream that creates or truncates PATH (with MODE) and writes to it over SFTP. It finishes
 * once every write is acknowledged and the file is closed.
 */
export function sftpWriteStream(
  sftp: SFTPWrapper,
  path: string,
  mode: number,
): Writable {
  let handle: Buffer | undefined;
  let position = 0;
  let inFlight = 0;
  let failed: Error | undefined;
  // The write held back while DEPTH are in flight, and the close waiting for the last reply.
  let held: Done | undefined;
  let drained: (() => void) | undefined;
  const replied = (err?: Error | null) => {
    inFlight--;
    failed ??= err ?? undefined;
    const next = held;
    held = undefined;
    next?.(failed);
    if (inFlight === 0) drained?.();
  };
  const close = (done: Done) => {
    const h = handle;
    handle = undefined;
    if (!h) return done();
    sftp.close(h, done);
  };
  return new Writable({
    construct(done) {
      openForWrite(sftp, path, mode).then((h) => {
        handle = h;
        done();
      }, done);
    },
    write(chunk: Buffer, _encoding, done) {
      if (failed) return done(failed);
      inFlight++;
      sftp.write(handle!, chunk, 0, chunk.length, position, replied);
      position += chunk.length;
      if (inFlight < DEPTH) done();
      else held = done;
    },
    final(done) {
      const finish = () => close((err) => done(failed ?? err));
      if (inFlight === 0) finish();
      else drained = finish;
    },
    destroy(err, done) {
      close(() => done(err));
    },
  });
}
