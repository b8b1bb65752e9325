import assert from "node:assert/strict";
import { configureLogger } from "../log.ts";
import { download } from "./download.ts";
import { fetchFailure, isUnreachable, NETWORK_HINT } from "./fetch_failure.ts";

/** A loopback port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The error of a download of URL into a fresh cache, and what was logged meanwhile. */
async function failedDownload(
  url: string,
): Promise<{ error: Error; logged: string[] }> {
  const cacheDir = await Deno.makeTempDir();
  const logged: string[] = [];
  configureLogger({
    level: "debug",
    format: "json",
    write: (l) => logged.push(l),
  });
  try {
    await download("", url, { cacheDir, progress: "none" });
  } catch (err) {
    return { error: err as Error, logged };
  } finally {
    configureLogger({
      level: "info",
      format: "text",
      write: (line) =>
        Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
    await Deno.remove(cacheDir, { recursive: true });
  }
  throw new Error(`downloading ${url} succeeded`);
}

Deno.test("an unresolvable host is named as Go names it, with a hint", async () => {
  const { error, logged } = await failedDownload("http://nosuchhost.invalid/x");
  assert.equal(
    error.message,
    `failed to download "http://nosuchhost.invalid/x": lookup nosuchhost.invalid: no such host (hint: ${NETWORK_HINT})`,
  );
  assert.ok(isUnreachable(error));
  // --debug shows the runtime's whole message.
  assert.ok(
    logged.some((l) => /level":"debug".*dns error/.test(l)),
    logged.join("\n"),
  );
});

Deno.test("a refused connection names the address", async () => {
  const port = closedPort();
  const { error } = await failedDownload(`http://127.0.0.1:${port}/x`);
  assert.match(
    error.message,
    new RegExp(
      `^failed to download "[^"]+": dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused \\(hint: `,
    ),
  );
});

Deno.test("a TLS failure says tls", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("plain http"),
  );
  const { error } = await failedDownload(
    `https://127.0.0.1:${server.addr.port}/x`,
  );
  assert.match(error.message, /: tls: .* \(hint: /);
});

Deno.test("fetchFailure keeps messages it does not know", () => {
  assert.equal(
    fetchFailure("http://h/x", new TypeError("something odd")),
    "something odd",
  );
});
