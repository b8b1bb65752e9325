/**
 * Throughput on a real instance of the test guest, each figure against a baseline measured on
 * the same VM in the same run (medians of interleaved runs):
 *
 * - forwarded TCP (guest → host through the host agent's forward) against OpenSSH `ssh -L`
 *   over its own connection; target at least 1.0x (5% allowed for noise);
 * - reverse-sshfs mount write/read against plain sshfs from the guest to the host's OpenSSH
 *   server with its sftp-server;
 * - 9p mount write/read against the guest's own disk (a second VM, since an instance has one
 *   mount type).
 *
 * Prints MB/s and ratios; exits 1 when the forwarding target is missed.
 *
 *   deno run -A bench/guest_io.ts [--size-mib 64] [--runs 3]
 */
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { freeLoopbackPort } from "../tests/fixtures/free_port.ts";
import { startSSHD } from "../tests/fixtures/sshd.ts";
import { testTemplate } from "../tests/fixtures/test_template.ts";
import {
  guestImage,
  type Lima,
  start,
  withLima,
} from "../tests/e2e/harness.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "size-mib": { type: "string", default: "64" },
    runs: { type: "string", default: "3" },
  },
});
const MIB = Number(values["size-mib"]);
const RUNS = Number(values.runs);
const TARGET = 1.0;
const NOISE = 0.05;
const GUEST_PORT = 7000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function guest(lima: Lima, script: string): Promise<string> {
  const r = await lima.expect(0, ["shell", "vm", "sh", "-c", script]);
  return r.stdout;
}

/** MB/s of `dd` in the guest: writing then (caches dropped) reading MIB MiB at PATH. */
async function ddRates(
  lima: Lima,
  path: string,
): Promise<{ write: number; read: number }> {
  const rate = (out: string) => {
    const m = /copied, ([\d.]+) s/.exec(out);
    if (!m) throw new Error(`unexpected dd output: ${out}`);
    return MIB * 1048576 / 1e6 / Number(m[1]);
  };
  const q = `'${path.replaceAll("'", `'"'"'`)}'`;
  const write = await guest(
    lima,
    `sudo dd if=/dev/zero of=${q} bs=1M count=${MIB} conv=fsync 2>&1 >/dev/null | tail -n 1`,
  );
  const read = await guest(
    lima,
    `sync; echo 3 | sudo tee /proc/sys/vm/drop_caches >/dev/null; sudo dd if=${q} of=/dev/null bs=1M 2>&1 | tail -n 1; sudo rm -f ${q}`,
  );
  return { write: rate(write), read: rate(read) };
}

/** MB/s of reading everything the guest service sends through host PORT. */
async function download(port: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const started = performance.now();
      let bytes = 0;
      const buf = new Uint8Array(1 << 20);
      for (let n; (n = await conn.read(buf)) !== null;) bytes += n;
      conn.close();
      if (bytes > 0) return mbps(bytes, performance.now() - started);
    } catch {
      // The forward is not up yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing came through 127.0.0.1:${port}`);
}

function report(label: string, ours: number[], base: number[]) {
  const o = median(ours), b = median(base);
  console.log(
    `${label.padEnd(34)} ${o.toFixed(1).padStart(7)} MB/s  baseline ${
      b.toFixed(1).padStart(7)
    } MB/s  ratio ${(o / b).toFixed(2)}x`,
  );
  return o / b;
}

const image = await guestImage();
let missed = false;

const SERVER = `
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", ${GUEST_PORT}))
s.listen()
chunk = bytes(1 << 20)
while True:
    c, _ = s.accept()
    for _ in range(${MIB}):
        c.sendall(chunk)
    c.close()
`;

// VM 1: reverse-sshfs, forwarded TCP.
await withLima(async (lima) => {
  const shared = await Deno.makeTempDir({ prefix: "lc-bench" });
  const plain = await Deno.makeTempDir({ prefix: "lc-bench" });
  const template = parse(testTemplate(image));
  template.mountType = "reverse-sshfs";
  template.mounts = [{
    location: shared,
    mountPoint: "/mnt/rsshfs",
    writable: true,
  }];
  const file = `${lima.home}/vm.yaml`;
  await Deno.writeTextFile(file, stringify(template));
  await start(lima, ["--tty=false", file]);
  try {
    await lima.expect(
      0,
      ["shell", "vm", "sh", "-c", "cat >/tmp/server.py"],
      SERVER,
    );
    await guest(
      lima,
      "sudo systemd-run --quiet --collect --unit=bench python3 /tmp/server.py",
    );
    const sshPort = freeLoopbackPort();
    const tunnel = new Deno.Command("ssh", {
      args: [
        "-F",
        `${lima.dir("vm")}/ssh.config`,
        "-o",
        "ControlPath=none",
        "-N",
        "-L",
        `127.0.0.1:${sshPort}:127.0.0.1:${GUEST_PORT}`,
        "lima-vm",
      ],
      stdin: "null",
    }).spawn();
    const ours: number[] = [], base: number[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        ours.push(await download(GUEST_PORT));
        base.push(await download(sshPort));
      }
    } finally {
      tunnel.kill();
      await tunnel.status;
    }
    const ratio = report("forwarded TCP vs ssh -L", ours, base);
    if (ratio < TARGET - NOISE) missed = true;

    // Baseline mount: the guest's sshfs to the host's OpenSSH server.
    await guest(
      lima,
      "test -f ~/.ssh/id_ed25519 || ssh-keygen -q -t ed25519 -N '' -f ~/.ssh/id_ed25519",
    );
    const key = await guest(lima, "cat ~/.ssh/id_ed25519.pub");
    await using sshd = await startSSHD(key);
    await guest(
      lima,
      `sudo mkdir -p /mnt/sshfs && sudo chown "$(id -u)" /mnt/sshfs && sshfs -o allow_other,StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null -p ${sshd.port} ${sshd.user}@192.168.5.2:${plain} /mnt/sshfs`,
    );
    const r = { write: [] as number[], read: [] as number[] };
    const b = { write: [] as number[], read: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const x = await ddRates(lima, "/mnt/rsshfs/bench.bin");
      const y = await ddRates(lima, "/mnt/sshfs/bench.bin");
      r.write.push(x.write), r.read.push(x.read);
      b.write.push(y.write), b.read.push(y.read);
    }
    report("reverse-sshfs write vs sshfs", r.write, b.write);
    report("reverse-sshfs read vs sshfs", r.read, b.read);
    await guest(lima, "fusermount3 -u /mnt/sshfs || fusermount -u /mnt/sshfs");
  } finally {
    await lima.run(["stop", "vm"]);
    await Deno.remove(shared, { recursive: true });
    await Deno.remove(plain, { recursive: true });
  }
});

// VM 2: 9p against the guest's own disk.
await withLima(async (lima) => {
  const shared = await Deno.makeTempDir({ prefix: "lc-bench" });
  const template = parse(testTemplate(image));
  template.mountType = "9p";
  template.mounts = [{
    location: shared,
    mountPoint: "/mnt/9p",
    writable: true,
  }];
  const file = `${lima.home}/vm.yaml`;
  await Deno.writeTextFile(file, stringify(template));
  await start(lima, ["--tty=false", file]);
  try {
    const p9 = { write: [] as number[], read: [] as number[] };
    const disk = { write: [] as number[], read: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const x = await ddRates(lima, "/mnt/9p/bench.bin");
      const y = await ddRates(lima, "/var/tmp/bench.bin");
      p9.write.push(x.write), p9.read.push(x.read);
      disk.write.push(y.write), disk.read.push(y.read);
    }
    report("9p write vs guest disk", p9.write, disk.write);
    report("9p read vs guest disk", p9.read, disk.read);
  } finally {
    await lima.run(["stop", "vm"]);
    await Deno.remove(shared, { recursive: true });
  }
});

if (missed) {
  console.log(`forwarded TCP missed its target of ${TARGET}x`);
  Deno.exit(1);
}
