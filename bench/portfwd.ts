/**
 * Port-forwarding throughput: bytes pushed through a forwarded TCP port to a server on the
 * "guest" (a local OpenSSH server on loopback; the guest is this host) and pulled back, via
 * the Forwarder with each TCP engine and via a plain OpenSSH `ssh -L` with Lima's options, in
 * the same run (interleaved, median of the runs). Prints MB/s and ratios against `ssh -L`;
 * target at least 1.0x for the engine the host agent uses (5% allowed for noise). Exits 1
 * when missed.
 *
 *   deno run -A bench/portfwd.ts [--size-mib 1024] [--runs 3]
 */
import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
// @ts-types="@types/ssh2"
import { Client } from "ssh2";
import { Forwarder, type TcpEngine } from "../core/portfwd/forwarder.ts";
import type { EffectiveRules } from "../core/portfwd/rules.ts";
import { detectOpenSSH, sshOptions } from "../core/ssh/options.ts";
import { freeLoopbackPort } from "../tests/fixtures/free_port.ts";
import { startTestGuest } from "../tests/fixtures/sshd.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "size-mib": { type: "string", default: "1024" },
    runs: { type: "string", default: "3" },
  },
});
const SIZE = Number(values["size-mib"]) * 1024 * 1024;
const RUNS = Number(values.runs);
const TARGET = 1.0;
const NOISE = 0.05;

const guest = await startTestGuest("bench");
const { target } = guest;

/** The guest service: swallows an upload and answers with one byte, or sends SIZE bytes. */
const guestPort = freeLoopbackPort();
const service = Deno.listen({ hostname: "127.0.0.1", port: guestPort });
(async () => {
  for await (const conn of service) {
    (async () => {
      const cmd = new Uint8Array(1);
      await conn.read(cmd);
      const buf = new Uint8Array(1 << 20);
      if (cmd[0] === 0x75) {
        while ((await conn.read(buf)) !== null);
        await conn.write(new Uint8Array([1]));
      } else {
        for (let sent = 0; sent < SIZE; sent += buf.length) {
          let at = 0;
          while (at < buf.length) at += await conn.write(buf.subarray(at));
        }
      }
      conn.close();
    })().catch(() => {});
  }
})();

async function upload(port: number): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const buf = new Uint8Array(1 << 20);
  buf[0] = 0x75;
  const start = performance.now();
  for (let sent = 0; sent < SIZE; sent += buf.length) {
    let at = 0;
    while (at < buf.length) at += await conn.write(buf.subarray(at));
  }
  await conn.closeWrite();
  await conn.read(new Uint8Array(1));
  conn.close();
  return SIZE / ((performance.now() - start) / 1000) / 1e6;
}

async function download(port: number): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const start = performance.now();
  await conn.write(new Uint8Array([0x64]));
  const buf = new Uint8Array(1 << 20);
  let got = 0;
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    got += n;
  }
  conn.close();
  if (got !== SIZE) throw new Error(`received ${got} of ${SIZE} bytes`);
  return SIZE / ((performance.now() - start) / 1000) / 1e6;
}

const options = sshOptions({
  instDir: target.instDir,
  user: target.user,
  identityFiles: target.identityFiles,
  features: await detectOpenSSH(),
});
const sshArgs = [
  ...options.flatMap((o) => ["-o", o]),
  "-p",
  String(target.port),
  target.host,
];
// Start the ControlMaster the host agent would have running.
await new Deno.Command("ssh", { args: [...sshArgs, "true"], stdin: "null" })
  .output();

const rules = (hostPort: number): EffectiveRules => ({
  rules: [{
    guestIP: "127.0.0.1",
    guestPortRange: [guestPort, guestPort],
    hostIP: "127.0.0.1",
    hostPortRange: [hostPort, hostPort],
    proto: "tcp",
  }],
  disabled: new Set(),
});

const client = new Client();
await new Promise<void>((resolve, reject) => {
  client.once("ready", () => resolve()).once("error", reject);
  Deno.readFile(target.identityFiles[0]).then((key) =>
    client.connect({
      host: target.host,
      port: target.port,
      username: target.user,
      privateKey: Buffer.from(key),
      hostVerifier: () => true,
    })
  );
});

async function forwarded(engine: TcpEngine) {
  const hostPort = freeLoopbackPort();
  const forwarder = new Forwarder({
    client,
    rules: rules(hostPort),
    tcp: engine,
  });
  await forwarder.apply({
    added: [{ proto: "tcp", ip: "127.0.0.1", port: guestPort }],
    removed: [],
  });
  return { port: hostPort, close: () => forwarder.close() };
}

async function plainSSH() {
  const port = freeLoopbackPort();
  const child = new Deno.Command("ssh", {
    args: [
      "-N",
      "-o",
      "ControlPath=none",
      "-o",
      "ExitOnForwardFailure=yes",
      "-L",
      `127.0.0.1:${port}:127.0.0.1:${guestPort}`,
      ...sshArgs,
    ],
    stdin: "null",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    close: async () => {
      child.kill();
      await child.status;
    },
  };
}

const setups = {
  "ssh -L": plainSSH,
  "forwarder (openssh)": () => forwarded({ kind: "openssh", args: sshArgs }),
  "forwarder (ssh2)": () => forwarded({ kind: "ssh2" }),
} as const;
type Name = keyof typeof setups;
const results = new Map<string, number[]>();
for (let run = 0; run < RUNS; run++) {
  for (const name of Object.keys(setups) as Name[]) {
    const setup = await setups[name]();
    try {
      for (const [dir, f] of [["up", upload], ["down", download]] as const) {
        const key = `${name} ${dir}`;
        results.set(key, [...results.get(key) ?? [], await f(setup.port)]);
      }
    } finally {
      await setup.close();
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

console.log(
  `Forwarded TCP throughput, ${
    SIZE / 1024 / 1024
  } MiB per transfer, median of ${RUNS} (MB/s):`,
);
let missed = false;
for (const dir of ["up", "down"]) {
  const base = median(results.get(`ssh -L ${dir}`)!);
  for (const name of Object.keys(setups)) {
    const mbs = median(results.get(`${name} ${dir}`)!);
    const ratio = mbs / base;
    console.log(
      `  ${dir.padEnd(4)} ${name.padEnd(20)} ${mbs.toFixed(0).padStart(6)}  ${
        ratio.toFixed(2)
      }x`,
    );
    if (name === "forwarder (openssh)" && ratio < TARGET - NOISE) missed = true;
  }
}
console.log(
  `Load average: ${(await Deno.readTextFile("/proc/loadavg")).trim()}`,
);

client.end();
await new Deno.Command("ssh", {
  args: ["-O", "exit", ...sshArgs],
  stderr: "null",
}).output();
service.close();
await guest[Symbol.asyncDispose]();
if (missed) {
  console.log(`Missed the target of ${TARGET.toFixed(1)}x.`);
  Deno.exit(1);
}
Deno.exit(0);
