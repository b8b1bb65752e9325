/**
 * Asks a running host agent over `INSTDIR/ha.sock` (Lima's `pkg/hostagent/api/client/client.go`):
 * its `/v1/info`, or any GET.
 */

/** The parts of the host agent's info answer that status reporting uses. */
export interface HostAgentInfo {
  sshLocalPort?: number;
  autoStartedIdentifier?: string;
}

export interface HostAgentInfoOptions {
  /** Give up on one request after this long; default 3 s as in Lima. */
  timeoutMs?: number;
}

/** A GET of PATH on the host agent socket SOCK: its status and body; throws when it does not answer in time. */
export async function hostAgentGet(
  sock: string,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: Uint8Array<ArrayBuffer> }> {
  const client = Deno.createHttpClient({
    proxy: { transport: "unix", path: sock },
  });
  try {
    const res = await fetch(`http://lima-hostagent${path}`, {
      client,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await res.bytes() };
  } finally {
    client.close();
  }
}

/**
 * `GET /v1/info` on the host agent socket SOCK; throws when it does not answer in time or not
 * with 200. A request that times out is asked once more on a new connection: a host agent sharing
 * the host's cores with an emulated guest can miss one deadline, and calling its instance Broken
 * for that stops `limactl shell` on a healthy instance.
 */
export async function hostAgentInfo(
  sock: string,
  options: HostAgentInfoOptions = {},
): Promise<HostAgentInfo> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const res = await hostAgentGet(sock, "/v1/info", timeoutMs).catch((err) => {
    if (!(err instanceof DOMException && err.name === "TimeoutError")) {
      throw err;
    }
    return hostAgentGet(sock, "/v1/info", timeoutMs);
  });
  const body = new TextDecoder().decode(res.body);
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
}
