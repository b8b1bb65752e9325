import assert from "node:assert/strict";
import { hostAgentInfo } from "../store/hostagent_info.ts";
import { handleAPIRequest, serveAPI } from "./api.ts";

const info = () => ({ sshLocalPort: 2222 });

Deno.test("GET /v1/info answers over the socket, which only the owner may use", async () => {
  const dir = await Deno.makeTempDir();
  const sock = `${dir}/ha.sock`;
  const server = await serveAPI(sock, info);
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
      info,
    );
  const post = call("POST", "/v1/info");
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET");
  assert.equal(typeof (await post.json()).message, "string");
  assert.equal(call("GET", "/v1/screenshot?format=gif").status, 400);
  assert.equal(call("GET", "/v1/screenshot").status, 501);
  assert.equal(call("GET", "/v2/nothing").status, 404);
});
