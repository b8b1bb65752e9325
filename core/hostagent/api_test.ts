import assert from "node:assert/strict";
import { hostAgentInfo } from "../store/hostagent_info.ts";
import { NoDisplayError } from "../../plugins/contract.ts";
import { handleAPIRequest, serveAPI } from "./api.ts";

const info = () => ({ sshLocalPort: 2222 });
const handlers = { info };

Deno.test("GET /v1/info answers over the socket, which only the owner may use", async () => {
  const dir = await Deno.makeTempDir();
  const sock = `${dir}/ha.sock`;
  const server = await serveAPI(sock, handlers);
  try {
    assert.equal((await Deno.stat(sock)).mode! & 0o777, 0o600);
    assert.deepEqual(await hostAgentInfo(sock), {
      sshLocalPort: 2222,
      autoStartedIdentifier: undefined,
    });
  } finally {
    await server.close();
  }
  await assert.rejects(Deno.stat(sock), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("other methods, formats and paths get Lima's status codes", async () => {
  const call = (method: string, path: string) =>
    handleAPIRequest(
      new Request(`http://lima-hostagent${path}`, { method }),
      handlers,
    );
  const post = await call("POST", "/v1/info");
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET");
  assert.equal(typeof (await post.json()).message, "string");
  assert.equal((await call("GET", "/v1/screenshot?format=gif")).status, 400);
  assert.equal((await call("GET", "/v1/screenshot")).status, 501);
  assert.equal((await call("GET", "/v2/nothing")).status, 404);
});

Deno.test("GET /v1/screenshot returns the driver's image, or 422 when the VM has no display", async () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  const formats: string[] = [];
  const ok = await handleAPIRequest(
    new Request("http://lima-hostagent/v1/screenshot?format=BMP"),
    {
      info,
      screenshot: (format) => {
        formats.push(format);
        return Promise.resolve(png);
      },
    },
  );
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("content-type"), "image/bmp");
  assert.deepEqual(new Uint8Array(await ok.arrayBuffer()), png);
  assert.deepEqual(formats, ["bmp"]);
  const none = await handleAPIRequest(
    new Request("http://lima-hostagent/v1/screenshot"),
    { info, screenshot: () => Promise.reject(new NoDisplayError()) },
  );
  assert.equal(none.status, 422);
  const unsupported = await handleAPIRequest(
    new Request("http://lima-hostagent/v1/screenshot"),
    { info, driverName: "wsl2" },
  );
  assert.equal(unsupported.status, 501);
  assert.match((await unsupported.json()).message, /driver "wsl2"/);
});
