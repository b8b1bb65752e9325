/** An ssh2 SFTP call (callback last) as a promise. */
export function sftpCall<T>(
  fn: (cb: (err: Error | undefined | null, value: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) =>
    fn((err, value) => err ? reject(err) : resolve(value))
  );
}
