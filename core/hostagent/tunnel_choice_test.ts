import assert from "node:assert/strict";
import net from "node:net";
import { join } from "node:path";
import { configureLogger } from "../log.ts";
import { encodeFrame, FrameType, helloFrame } from "../portfwd/tunnel_frame.ts";
import { chooseTunnel, useSSHForwarder } from "./tunnel_choice.ts";

/** Runs FN and returns its result with the messages it logged. */
async function logged<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; messages: string[] }> {
  const messages: string[] = [];
  configureLogger({
    level: "info",
    format: "json",
    write: (line) => messages.push(JSON.parse(line).msg),
  });
  try {
    return { result: await fn(), messages };
  } finally {
    configureLogger({
      format: "text",
      write: (line) =>
        Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
  }
}

/** A UNIX socket server that answers the hello with HELLO when ANSWER, or stays silent. */
async function guest(answer: boolean, hello = helloFrame()) {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "tunnel.sock");
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    if (answer) socket.once("data", () => socket.write(hello));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    connections: () => sockets.length,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const signal = new AbortController().signal;

Deno.test("LIMA_SSH_PORT_FORWARDER is read as a Go bool, the tunnel by default as in Lima", async () => {
  for (const v of ["1", "t", "T", "TRUE", "true", "True"]) {
    assert.equal(useSSHForwarder(v), true, v);
  }
  for (const v of [undefined, "", "0", "f", "F", "FALSE", "false", "False"]) {
    assert.equal(useSSHForwarder(v), false, v);
  }
  const { result, messages } = await logged(() =>
    Promise.resolve(useSSHForwarder("yes"))
  );
  assert.equal(result, false);
  assert.deepEqual(messages, ["invalid LIMA_SSH_PORT_FORWARDER value `yes`"]);
});

Deno.test("LIMA_SSH_PORT_FORWARDER=true keeps TCP and UDP on SSH without touching the tunnel", async () => {
  const g = await guest(true);
  try {
    const { result, messages } = await logged(() =>
      chooseTunnel({ env: "true", socket: g.path, waitMs: 1000, signal })
    );
    assert.equal(result, undefined);
    assert.equal(g.connections(), 0);
    assert.deepEqual(messages, [
      "Forwarding TCP and UDP ports over SSH, as LIMA_SSH_PORT_FORWARDER asks",
    ]);
  } finally {
    await g.close();
  }
});

Deno.test("an answering guest gets TCP and UDP over the tunnel, logged once", async () => {
  const g = await guest(true);
  try {
    const { result, messages } = await logged(() =>
      chooseTunnel({ env: "false", socket: g.path, waitMs: 5000, signal })
    );
    assert.ok(result);
    await result.close();
    assert.deepEqual(messages, [
      "Forwarding TCP and UDP ports over the guest agent's tunnel",
    ]);
  } finally {
    await g.close();
  }
});

Deno.test("no channel from the driver, or a guest that never answers, falls back to SSH, logged once", async () => {
  const none = await logged(() =>
    chooseTunnel({ env: undefined, waitMs: 1000, signal })
  );
  assert.equal(none.result, undefined);
  assert.deepEqual(none.messages, [
    "The driver offers no port forwarding tunnel; forwarding TCP and UDP ports over SSH",
  ]);
  const g = await guest(false);
  try {
    const started = Date.now();
    const silent = await logged(() =>
      chooseTunnel({ env: undefined, socket: g.path, waitMs: 2000, signal })
    );
    assert.equal(silent.result, undefined);
    assert.ok(Date.now() - started < 5000);
    assert.equal(silent.messages.length, 1);
    assert.match(
      silent.messages[0],
      /^The port forwarding tunnel is unavailable \(the guest's tunnel did not answer within .* s\); forwarding TCP and UDP ports over SSH$/,
    );
  } finally {
    await g.close();
  }
  const missing = await logged(() =>
    chooseTunnel({
      env: undefined,
      socket: "/nonexistent/tunnel.sock",
      waitMs: 1500,
      signal,
    })
  );
  assert.equal(missing.result, undefined);
  assert.match(
    missing.messages[0],
    /^The port forwarding tunnel is unavailable/,
  );
});

Deno.test("a guest agent of an older tunnel protocol falls back to SSH at once, saying why", async () => {
  const g = await guest(
    true,
    encodeFrame(FrameType.hello, 0, new TextEncoder().encode("LIMATUN1")),
  );
  try {
    const started = Date.now();
    const { result, messages } = await logged(() =>
      chooseTunnel({ env: undefined, socket: g.path, waitMs: 10_000, signal })
    );
    assert.equal(result, undefined);
    assert.ok(Date.now() - started < 2000, "it waited for a newer answer");
    assert.equal(g.connections(), 1);
    assert.deepEqual(messages, [
      "The port forwarding tunnel is unavailable (the guest's tunnel speaks LIMATUN1, not LIMATUN2: its guest agent is of another version); forwarding TCP and UDP ports over SSH",
    ]);
  } finally {
    await g.close();
  }
});
