/**
 * user-v2 network benchmark: the test template started on the default user-mode network (QEMU
 * slirp) and on a `lima: user-v2` network, alternating ABBA style, one VM at a time, in the
 * same run. For each start: time to READY (from `limactl start` to its exit; every user-v2
 * start is the network's first instance, so it includes starting the network daemon), then
 * TCP throughput from the guest to a server on the host's loopback reached as
 * `host.lima.internal` (bash's /dev/tcp, timed on the host from the first byte to EOF).
 * Prints each run, the medians and the ratios; exits 1 when a target is missed: user-v2
 * throughput at least 0.8x the default network's, and the extra time to READY of the first
 * user-v2 instance under 10% of the default network's READY.
 *
 *   deno run -A bench/network.ts [--runs N] [--size-mib 128]
 *
 * Needs QEMU, ssh and gvproxy; building the guest image (when not cached) needs root.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { buildGuestImage } from "../tests/fixtures/guest_image.ts";
import { freeLoopbackPort } from "../tests/fixtures/free_port.ts";
import { testTemplate } from "../tests/fixtures/test_template.ts";
import { loadAverage, median, seconds } from "./measure.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "2" },
    "size-mib": { type: "string", default: "128" },
  },
});
const runs = Number(values.runs);
const size = Number(values["size-mib"]) * 1024 * 1024;
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, got ${values.runs}`);
  Deno.exit(2);
}
if (!Number.isInteger(size) || size < 1) {
  console.error(
    `--size-mib must be a positive integer, got ${values["size-mib"]}`,
  );
  Deno.exit(2);
}
const MIN_THROUGHPUT_RATIO = 0.8;
const MAX_EXTRA_START = 0.1;
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const decoder = new TextDecoder();

// A short LIMA_HOME: the unix sockets of instances and networks must fit in sun_path.
const home = await Deno.makeTempDir({ prefix: "ln" });
async function limactl(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { LIMA_HOME: home },
    stdin: "null",
  }).output();
  if (!out.success) {
    throw new Error(
      `limactl ${args.join(" ")} failed:\n${decoder.decode(out.stderr)}`,
    );
  }
  return decoder.decode(out.stdout);
}

/** Bytes per second of one upload from the guest to a fresh server on the host's loopback. */
async function guestToHost(name: string): Promise<number> {
  const port = freeLoopbackPort();
  const server = Deno.listen({ hostname: "127.0.0.1", port });
  const received = (async () => {
    const conn = await server.accept();
    const buf = new Uint8Array(1 << 20);
    let got = 0;
    let first = 0;
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      if (got === 0) first = performance.now();
      got += n;
    }
    conn.close();
    if (got !== size) throw new Error(`received ${got} of ${size} bytes`);
    return size / ((performance.now() - first) / 1000);
  })();
  try {
    await limactl([
      "shell",
      name,
      "bash",
      "-c",
      `exec 3>/dev/tcp/host.lima.internal/${port}; head -c ${size} /dev/zero >&3`,
    ]);
    return await received;
  } finally {
    server.close();
  }
}

interface Run {
  ready: number;
  bytesPerSecond: number;
}

async function run(template: string, name: string): Promise<Run> {
  const started = performance.now();
  try {
    await limactl(["start", "--tty=false", "--name", name, template]);
    const ready = performance.now() - started;
    return { ready, bytesPerSecond: await guestToHost(name) };
  } finally {
    await limactl(["delete", "--force", name]).catch(() => {});
  }
}

try {
  const image = await buildGuestImage();
  const plain = join(home, "default.yaml");
  await Deno.writeTextFile(plain, testTemplate(image));
  const userV2 = join(home, "user-v2.yaml");
  const config = parse(testTemplate(image)) as Record<string, unknown>;
  await Deno.writeTextFile(
    userV2,
    stringify({ ...config, networks: [{ lima: "user-v2" }] }),
  );
  const results: Record<"default" | "user-v2", Run[]> = {
    default: [],
    "user-v2": [],
  };
  const one = async (kind: "default" | "user-v2", i: number) => {
    const load = await loadAverage();
    const r = await run(kind === "default" ? plain : userV2, `${kind}${i}`);
    results[kind].push(r);
    console.log(
      `${kind.padEnd(8)} #${i}: READY ${seconds(r.ready)}, guest to host ${
        (r.bytesPerSecond / 1e6).toFixed(1)
      } MB/s; load before: ${load}`,
    );
  };
  for (let i = 1; i <= runs; i++) {
    const order = i % 2 === 1
      ? ["default", "user-v2"] as const
      : ["user-v2", "default"] as const;
    for (const kind of order) await one(kind, i);
  }
  const ready = (k: keyof typeof results) =>
    median(results[k].map((r) => r.ready));
  const speed = (k: keyof typeof results) =>
    median(results[k].map((r) => r.bytesPerSecond));
  const throughput = speed("user-v2") / speed("default");
  const extra = (ready("user-v2") - ready("default")) / ready("default");
  console.log(
    `runs: ${runs} each, ${
      size / 1024 / 1024
    } MiB per transfer, load average now: ${await loadAverage()}`,
  );
  console.log(
    `READY: default ${seconds(ready("default"))}, user-v2 ${
      seconds(ready("user-v2"))
    }: first user-v2 instance ${(extra * 100).toFixed(1)}% slower (target < ${
      MAX_EXTRA_START * 100
    }%)`,
  );
  console.log(
    `guest to host: default ${
      (speed("default") / 1e6).toFixed(1)
    } MB/s, user-v2 ${(speed("user-v2") / 1e6).toFixed(1)} MB/s: ${
      throughput.toFixed(2)
    }x (target >= ${MIN_THROUGHPUT_RATIO}x)`,
  );
  if (throughput < MIN_THROUGHPUT_RATIO || extra >= MAX_EXTRA_START) {
    Deno.exitCode = 1;
  }
} finally {
  await Deno.remove(home, { recursive: true }).catch(() => {});
}
