import assert from "node:assert/strict";
import { runUsernetDaemon } from "./daemon.ts";
import { findGvproxy } from "./find_gvproxy.ts";
import { usernetPaths } from "./paths.ts";

const CI = Deno.env.get("CI") === "true";
const gvproxy = findGvproxy();

/** An ARP request from MAC for the gateway 192.168.104.2, in QEMU's length-prefixed framing. */
function arpRequest(mac: number[]): Uint8Array {
  const arp = [
    ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ...mac,
    0x08,
    0x06,
    ...[0, 1, 8, 0, 6, 4, 0, 1],
    ...mac,
    ...[192, 168, 104, 15],
    ...[0, 0, 0, 0, 0, 0],
    ...[192, 168, 104, 2],
  ];
  const frame = new Uint8Array(4 + arp.length);
  new DataView(frame.buffer).setUint32(0, arp.length);
  frame.set(arp, 4);
  return frame;
}

/**
 * Joins the network as a VM would and returns the sender MAC of the gateway's ARP reply (the
 * other VMs' broadcasts arrive too, and are skipped).
 */
async function askGateway(socket: string, mac: number[]): Promise<string> {
  const conn = await Deno.connect({ transport: "unix", path: socket });
  // A network that never answers fails the test instead of hanging it.
  const timer = setTimeout(() => conn.close(), 10_000);
  let again: ReturnType<typeof setInterval> | undefined;
  const hex = (bytes: Uint8Array) =>
    [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":");
  try {
    // Asked again every 500 ms, as a guest would: frames sent before the VM is joined are lost.
    const ask = () => conn.write(arpRequest(mac)).catch(() => 0);
    await ask();
    again = setInterval(ask, 500);
    let buffered = new Uint8Array(0);
    for (;;) {
      const chunk = new Uint8Array(4096);
      const n = await conn.read(chunk);
      if (n === null) throw new Error("the network closed the connection");
      const joined = new Uint8Array(buffered.length + n);
      joined.set(buffered);
      joined.set(chunk.subarray(0, n), buffered.length);
      buffered = joined;
      while (buffered.length >= 4) {
        const length = new DataView(buffered.buffer).getUint32(0);
        if (buffered.length < 4 + length) break;
        const frame = buffered.subarray(4, 4 + length);
        buffered = buffered.slice(4 + length);
        const isArpReply = frame[12] === 0x08 && frame[13] === 0x06 &&
          frame[21] === 2;
        if (
          isArpReply && hex(frame.subarray(0, 6)) === hex(new Uint8Array(mac))
        ) {
          return hex(frame.subarray(22, 28));
        }
      }
    }
  } finally {
    clearInterval(again);
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
}

Deno.test({
  name:
    "limactl usernet joins several VMs to one gvproxy, then saves the leases and removes its files",
  ignore: !gvproxy && !CI,
}, async () => {
  assert.ok(gvproxy, "gvproxy is not installed (bash .ci/run installs it)");
  const home = await Deno.makeTempDir({ prefix: "un" });
  const paths = usernetPaths("user-v2", home);
  await Deno.mkdir(paths.dir, { recursive: true });
  const stop = new AbortController();
  try {
    const daemon = runUsernetDaemon({
      pidFile: paths.pidFile,
      endpointSocket: paths.endpointSocket,
      qemuSocket: paths.qemuSocket,
      subnet: "192.168.104.0/24",
      mtu: 1500,
      leases: { "192.168.104.20": "52:55:55:12:34:56" },
      signal: stop.signal,
    });
    const deadline = Date.now() + 10_000;
    while (!(await Deno.lstat(paths.qemuSocket).catch(() => undefined))) {
      assert.ok(Date.now() < deadline, "the QEMU socket did not appear");
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(
      (await Deno.readTextFile(paths.pidFile)).trim(),
      String(Deno.pid),
    );
    // gvproxy's own QEMU socket would take the first VM only.
    const [a, b] = await Promise.all([
      askGateway(paths.qemuSocket, [0x52, 0x55, 0x55, 1, 1, 1]),
      askGateway(paths.qemuSocket, [0x52, 0x55, 0x55, 2, 2, 2]),
    ]);
    assert.equal(a, "5a:94:ef:e4:0c:dd");
    assert.equal(b, "5a:94:ef:e4:0c:dd");
    stop.abort();
    await daemon;
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(paths.dir))).map((e) => e.name)
        .sort(),
      ["leases.json"],
    );
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(paths.leases)),
      {
        "192.168.104.2": "5a:94:ef:e4:0c:dd",
        "192.168.104.20": "52:55:55:12:34:56",
      },
    );
  } finally {
    stop.abort();
    await Deno.remove(home, { recursive: true });
  }
});
