/**
 * The host agent's HTTP API on `INSTDIR/ha.sock` (Lima's `pkg/hostagent/api/server/server.go`):
 * HTTP/1.1 over a UNIX socket, mode 0600.
 */

export interface HostAgentAPIInfo {
  sshLocalPort?: number;
  autoStartedIdentifier?: string;
}

export interface APIServer {
  /** Stops serving and removes the socket file. */
  close(): Promise<void>;
}

function json(status: number, body: unknown, headers: HeadersInit = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** Answers one request (exported for tests without a socket). */
export function handleAPIRequest(
  req: Request,
  info: () => HostAgentAPIInfo,
): Response {
  const url = new URL(req.url);
  switch (url.pathname) {
    case "/v1/info": {
      if (req.method !== "GET") {
        return json(405, { message: `method ${req.method} is not allowed` }, {
          allow: "GET",
        });
      }
      const { sshLocalPort, autoStartedIdentifier } = info();
      return json(200, {
        ...(autoStartedIdentifier ? { autoStartedIdentifier } : {}),
        ...(sshLocalPort ? { sshLocalPort } : {}),
      });
    }
    case "/v1/screenshot": {
      if (req.method !== "GET") {
        return json(405, { message: `method ${req.method} is not allowed` }, {
          allow: "GET",
        });
      }
      const format = url.searchParams.get("format") || "png";
      if (format !== "png" && format !== "bmp") {
        return json(400, { message: `unsupported format ${format}` });
      }
      return json(501, {
        message: "the driver does not support screenshots",
      });
    }
    default:
      return json(404, { message: `no such endpoint ${url.pathname}` });
  }
}

/** Serves the API on the UNIX socket PATH (an old socket file is replaced). */
export async function serveAPI(
  path: string,
  info: () => HostAgentAPIInfo,
): Promise<APIServer> {
  await Deno.remove(path).catch(() => {});
  const listening = Promise.withResolvers<void>();
  const server = Deno.serve({
    path,
    onListen: () => listening.resolve(),
    onError: (err) =>
      json(500, { message: err instanceof Error ? err.message : String(err) }),
  }, (req) => handleAPIRequest(req, info));
  await listening.promise;
  await Deno.chmod(path, 0o600);
  return {
    async close() {
      await server.shutdown();
      await Deno.remove(path).catch(() => {});
    },
  };
}
