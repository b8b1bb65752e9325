/**
 * The host port forwarded to the guest's sshd (`determineSSHLocalPort` in Lima's
 * `pkg/hostagent/hostagent.go`).
 */
import { LimaError } from "../errors.ts";
import { freeLocalPort } from "../free_port.ts";

/** Lowest port of the kernel's ephemeral range; 32768 when it cannot be read. */
async function ephemeralStart(): Promise<number> {
  try {
    const text = await Deno.readTextFile(
      "/proc/sys/net/ipv4/ip_local_port_range",
    );
    const low = Number(text.trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 1024 ? low : 32768;
  } catch {
    return 32768;
  }
}

function bindable(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) return false;
    throw err;
  }
}

export interface SSHPortOptions {
  /** `ssh.localPort` (0 or absent: choose one). */
  configured?: number;
  /** Lima < 2.0 gave the instance `default` the fixed port 60022. */
  legacyDefault?: boolean;
}

/**
 * The SSH port of an instance: the configured one (which must be free), else a free port
 * on 127.0.0.1. A chosen port lies below the ephemeral range: a port in it can be taken by
 * an outgoing connection between our check and QEMU binding it.
 */
export async function chooseSSHPort(options: SSHPortOptions): Promise<number> {
  const fixed = options.configured && options.configured > 0
    ? options.configured
    : options.legacyDefault
    ? 60022
    : 0;
  if (fixed) {
    if (!bindable(fixed)) {
      throw new LimaError({
        summary: `the SSH port 127.0.0.1:${fixed} is already in use`,
        path: options.configured ? "ssh.localPort" : undefined,
        hint: options.configured
          ? "stop the process using it, or set ssh.localPort to 0 to choose a free port"
          : "stop the process using it",
      });
    }
    return fixed;
  }
  const high = Math.min(await ephemeralStart(), 65536) - 1;
  const low = Math.min(20000, high - 1000);
  for (let i = 0; i < 200; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (bindable(port)) return port;
  }
  return freeLocalPort();
}
