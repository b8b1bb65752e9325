/**
 * The guest's files over SFTP as Lima's MCP tools use them through pkg/sftp, with its errors:
 * "file does not exist", "permission denied", else `sftp: "MESSAGE" (SSH_FX_…)`.
 */
// @ts-types="@types/ssh2"
import type { FileEntryWithStats, SFTPWrapper, Stats } from "ssh2";
import { Buffer } from "node:buffer";
import { posix } from "node:path";
import { LimaError } from "../errors.ts";

/** SFTP status codes (draft-ietf-secsh-filexfer-02) by number, as pkg/sftp names them. */
const STATUS_NAMES = [
  "SSH_FX_OK",
  "SSH_FX_EOF",
  "SSH_FX_NO_SUCH_FILE",
  "SSH_FX_PERMISSION_DENIED",
  "SSH_FX_FAILURE",
  "SSH_FX_BAD_MESSAGE",
  "SSH_FX_NO_CONNECTION",
  "SSH_FX_CONNECTION_LOST",
  "SSH_FX_OP_UNSUPPORTED",
];
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

/** ERR of an SFTP request as the error Lima's tools report (pkg/sftp's `normaliseError`). */
export function sftpError(err: unknown): LimaError {
  const { code, message } = err as { code?: unknown; message?: string };
  if (typeof code !== "number") {
    return new LimaError({ summary: String(message ?? err) }, { cause: err });
  }
  const summary = code === NO_SUCH_FILE
    ? "file does not exist"
    : code === PERMISSION_DENIED
    ? "permission denied"
    : `sftp: ${JSON.stringify(message ?? "")} (${
      STATUS_NAMES[code] ?? `SSH_FX_UNKNOWN(${code})`
    })`;
  return new LimaError({ summary }, { cause: err });
}

function call<T>(
  fn: (cb: (err: Error | null | undefined, value: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) =>
    fn((err, value) => err ? reject(sftpError(err)) : resolve(value))
  );
}

export function stat(sftp: SFTPWrapper, path: string): Promise<Stats> {
  return call((cb) => sftp.stat(path, cb));
}

export function lstat(sftp: SFTPWrapper, path: string): Promise<Stats> {
  return call((cb) => sftp.lstat(path, cb));
}

/** The entries of directory PATH in the server's order, without `.` and `..`. */
export async function readDir(
  sftp: SFTPWrapper,
  path: string,
): Promise<FileEntryWithStats[]> {
  const entries = await call<FileEntryWithStats[]>((cb) =>
    sftp.readdir(path, cb)
  );
  return entries.filter((e) => e.filename !== "." && e.filename !== "..");
}

/** Creates directory PATH and its parents (pkg/sftp's `MkdirAll`). */
export async function mkdirAll(sftp: SFTPWrapper, path: string) {
  const existing = await stat(sftp, path).catch(() => undefined);
  if (existing) {
    if (existing.isDirectory()) return;
    throw new LimaError({ summary: `mkdir ${path}: not a directory` });
  }
  const parent = posix.dirname(path.replace(/\/+$/, ""));
  if (parent !== "/" && parent !== ".") await mkdirAll(sftp, parent);
  try {
    await call<void>((cb) => sftp.mkdir(path, (err) => cb(err, undefined)));
  } catch (err) {
    // "foo/." and races: fine when the directory is there now.
    const now = await lstat(sftp, path).catch(() => undefined);
    if (!now?.isDirectory()) throw err;
  }
}

/** The first LIMIT bytes of file PATH. */
export function readFile(
  sftp: SFTPWrapper,
  path: string,
  limit: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    sftp.createReadStream(path, { start: 0, end: limit - 1 })
      .on("data", (chunk: Buffer) => chunks.push(chunk))
      .on("error", (err: Error) => reject(sftpError(err)))
      .on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
  });
}

/** Creates or truncates file PATH and writes DATA into it. */
export function writeFile(
  sftp: SFTPWrapper,
  path: string,
  data: string,
): Promise<void> {
  return call<void>((cb) =>
    sftp.writeFile(path, data, { flag: "w" }, (err) => cb(err, undefined))
  );
}
