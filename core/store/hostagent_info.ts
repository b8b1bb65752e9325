/**
 * Asks a running host agent for its `/v1/info` over `INSTDIR/ha.sock` (Lima's
 * `pkg/hostagent/api/client/client.go`).
 */

/** The parts of the host agent's info answer that status reporting uses. */
export interface HostAgentInfo {
  sshLocalPort?: number;
  autoStartedIdentifier?: string;
}

export interface HostAgentInfoOptions {
  /** Give up after this long; default 3 s as in Lima. */
  timeoutMs?: number;
}

/** `GET /v1/info` on the host agent socket SOCK; throws when it does not answer in time or not with 200. */
export async function hostAgentInfo(
  sock: string,
  options: HostAgentInfoOptions = {},
): Promise<HostAgentInfo> {
  const client = Deno.createHttpClient({
    proxy: { transport: "unix", path: sock },
  });
  try {
    const res = await fetch("http://lima-hostagent/v1/info", {
      client,
      signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
    });
    const body = await res.text();
    if (res.status !== 200) {
      throw new Error(`unexpected status ${res.status}: ${body.trim()}`);
    }
    const info = JSON.parse(body) as Record<string, unknown>;
    return {
      sshLocalPort: typeof info.sshLocalPort === "number"
        ? info.sshLocalPort
        : undefined,
      autoStartedIdentifier: typeof info.autoStartedIdentifier === "string"
        ? info.autoStartedIdentifier
        : undefined,
    };
  } finally {
    client.close();
  }
}
