/** A TCP/UDP port number field (`ssh.localPort`, `portForwards[i]` ports). */
import type { Check } from "./check.ts";
import { field } from "./messages.ts";

export function checkPort({ fail }: Check, path: string, port: number): void {
  if (port < 0) fail(path, `${field(path)} must be > 0, got ${port}`);
  else if (port === 0) fail(path, `${field(path)} must be set`);
  else if (port === 22) fail(path, `${field(path)} must not be 22`);
  else if (port > 65535) {
    fail(path, `${field(path)} must be < 65536, got ${port}`);
  }
}

/** `ssh.localPort`, when set. */
export function checkSSH(c: Check): void {
  const localPort = c.y.ssh?.localPort;
  if (localPort) checkPort(c, "ssh.localPort", localPort);
}
