/**
 * The host agent's HTTP API on `INSTDIR/ha.sock` (Lima's `pkg/hostagent/api/server/server.go`):
 * HTTP/1.1 over a UNIX socket, mode 0600.
 */
import { errorMessage } from "../errors.ts";
import {
  NoDisplayError,
  type ScreenshotFormat,
} from "../../plugins/contract.ts";

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

/** What the API answers from; `screenshot` is absent when the driver cannot capture. */
export interface APIHandlers {
  info: () => HostAgentAPIInfo;
  /** The driver's name, for Lima's "driver X does not support screenshots". */
  driverName?: string;
  screenshot?: (format: ScreenshotFormat) => Promise<Uint8Array<ArrayBuffer>>;
}

const methodNotAllowed = (method: string) =>
  json(405, { message: `method ${method} is not allowed` }, { allow: "GET" });

/** Answers one request (exported for tests without a socket). */
export async function handleAPIRequest(
  req: Request,
  handlers: APIHandlers,
): Promise<Response> {
  const url = new URL(req.url);
  switch (url.pathname) {
    case "/v1/info": {
      if (req.method !== "GET") return methodNotAllowed(req.method);
      const { sshLocalPort, autoStartedIdentifier } = handlers.info();
      return json(200, {
        ...(autoStartedIdentifier ? { autoStartedIdentifier } : {}),
        ...(sshLocalPort ? { sshLocalPort } : {}),
      });
    }
    case "/v1/screenshot": {
      if (req.method !== "GET") return methodNotAllowed(req.method);
      const format = (url.searchParams.get("format") || "png").toLowerCase();
      if (format !== "png" && format !== "bmp") {
        return json(400, {
          message: `unsupported format "${format}": must be png or bmp`,
        });
      }
      return await screenshotResponse(handlers, format);
    }
    default:
      return json(404, { message: `no such endpoint ${url.pathname}` });
  }
}

/** Lima's answers: the image, 501 without the capability, 422 without a display. */
async function screenshotResponse(
  handlers: APIHandlers,
  format: ScreenshotFormat,
): Promise<Response> {
  if (!handlers.screenshot) {
    return json(501, {
      message: `driver "${
        handlers.driverName ?? "unknown"
      }": driver does not support screenshots`,
    });
  }
  try {
    const image = await handlers.screenshot(format);
    return new Response(image, {
      status: 200,
      headers: { "content-type": `image/${format}` },
    });
  } catch (err) {
    return json(err instanceof NoDisplayError ? 422 : 500, {
      message: errorMessage(err),
    });
  }
}

/** Serves the API on the UNIX socket PATH (an old socket file is replaced). */
export async function serveAPI(
  path: string,
  handlers: APIHandlers,
): Promise<APIServer> {
  await Deno.remove(path).catch(() => {});
  const listening = Promise.withResolvers<void>();
  const server = Deno.serve({
    path,
    onListen: () => listening.resolve(),
    onError: (err) =>
      json(500, { message: err instanceof Error ? err.message : String(err) }),
  }, (req) => handleAPIRequest(req, handlers));
  await listening.promise;
  await Deno.chmod(path, 0o600);
  return {
    async close() {
      await server.shutdown();
      await Deno.remove(path).catch(() => {});
    },
  };
}
