/** One HTTP/1.1 request over a UNIX socket (the REST APIs of `vfkit` and similar tools). */
import { errorMessage, LimaError } from "../../core/errors.ts";

export interface UnixHttpResponse {
  status: number;
  body: string;
}

export async function unixRequest(
  socket: string,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  timeoutMs = 5000,
): Promise<UnixHttpResponse> {
  let conn: Deno.UnixConn | undefined;
  const timer = setTimeout(() => {
    try {
      conn?.close();
    } catch {
      // Already closed.
    }
  }, timeoutMs);
  try {
    conn = await Deno.connect({ transport: "unix", path: socket });
    const payload = body === undefined ? "" : JSON.stringify(body);
    const head = [
      `${method} ${path} HTTP/1.1`,
      "Host: localhost",
      "Connection: close",
      ...(body === undefined ? [] : [
        "Content-Type: application/json",
        `Content-Length: ${new TextEncoder().encode(payload).length}`,
      ]),
    ];
    await conn.write(
      new TextEncoder().encode(head.join("\r\n") + "\r\n\r\n" + payload),
    );
    const text = await new Response(conn.readable).text();
    const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/
      .exec(text);
    if (!m) throw new Error("malformed HTTP response");
    const headers = m[2].toLowerCase();
    const rest = m[3];
    return {
      status: Number(m[1]),
      body: headers.includes("transfer-encoding: chunked")
        ? dechunk(rest)
        : rest,
    };
  } catch (err) {
    throw new LimaError({
      summary: `request ${method} ${path} to ${socket} failed`,
      detail: errorMessage(err),
    });
  } finally {
    clearTimeout(timer);
  }
}

function dechunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const nl = rest.indexOf("\r\n");
    if (nl < 0) return out;
    const size = Number.parseInt(rest.slice(0, nl), 16);
    if (!size) return out;
    out += rest.slice(nl + 2, nl + 2 + size);
    rest = rest.slice(nl + 2 + size + 2);
  }
}
