/**
 * `limactl tunnel`: a SOCKS proxy on the host into the guest's network, served by `ssh -D` in
 * the background (Lima's `cmd/limactl/tunnel.go`).
 */
import { LimaError } from "../errors.ts";
import { freeLocalPort } from "../free_port.ts";
import { quote } from "../quote.ts";
import { runningInstance } from "./running_instance.ts";
import { instanceSSHOptions } from "./target.ts";

export interface TunnelOptions {
  /** `--type`: only `socks` exists, as in Lima. */
  type: string;
  /** `--socks-port`: 0 picks a free port. */
  socksPort: number;
}

/**
 * Starts the tunnel into instance NAME and returns what to tell the user; `ssh -f` has gone to
 * the background once it has logged in, so the proxy is up when this resolves.
 */
export async function openTunnel(
  name: string,
  options: TunnelOptions,
): Promise<string> {
  if (options.type !== "socks") {
    throw new LimaError({
      summary: `unknown tunnel type: ${
        quote(options.type)
      } (flag --type: only "socks" is implemented)`,
    });
  }
  const port = options.socksPort;
  if (port !== 0 && (port < 1024 || port > 65535)) {
    throw new LimaError({
      summary:
        `invalid socks port ${port} (flag --socks-port: 1024 to 65535, or 0 for a free one)`,
    });
  }
  const inst = await runningInstance(name);
  const socksPort = port || freeLocalPort();
  const args = [
    ...(await instanceSSHOptions(inst)).flatMap((o) => ["-o", o]),
    "-q",
    "-f",
    "-N",
    "-D",
    `127.0.0.1:${socksPort}`,
    "-p",
    String(inst.sshLocalPort),
    inst.sshAddress || "127.0.0.1",
  ];
  // OpenSSH's -f sends its own stdio to /dev/null once in the background, so reading to the
  // end ends when the foreground ssh does.
  const out = await new Deno.Command("ssh", { args, stdin: "null" }).output();
  if (!out.success) {
    const said = new TextDecoder().decode(out.stderr).trim();
    throw new LimaError({
      summary:
        `ssh exited with status ${out.code}; the SOCKS tunnel was not started`,
      detail: said || undefined,
    });
  }
  return tunnelInstructions(socksPort, inst.hostname, Deno.build.os);
}

/** How to use the proxy on host OS, as Lima prints it. */
export function tunnelInstructions(
  port: number,
  hostname: string,
  os: string,
): string {
  const lines = os === "darwin"
    ? [
      "Open <System Settings> → <Network> → <Wi-Fi> (or whatever) → <Details> → <Proxies> → <SOCKS proxy>,",
      "and specify the following configuration:",
      "- Server: 127.0.0.1",
      `- Port: ${port}`,
    ]
    : os === "windows"
    ? [
      "Open <Settings> → <Network & Internet> → <Proxy>,",
      "and specify the following configuration:",
      "- Address: socks=127.0.0.1",
      `- Port: ${port}`,
    ]
    : [`Set \`ALL_PROXY=socks5h://127.0.0.1:${port}\`, etc.`];
  lines.push(
    `The instance can be connected from the host as <http://${hostname}.internal> via a web browser.`,
  );
  return lines.join("\n") + "\n";
}
