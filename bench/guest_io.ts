/**
 * Throughput on a real instance of the test guest, each figure against a baseline measured on
 * the same VM in the same run (medians of interleaved runs):
 *
 * - forwarded TCP (guest → host through the host agent's forward, over the guest agent's tunnel
 *   unless LIMA_SSH_PORT_FORWARDER=true) against QEMU's own `hostfwd` (slirp, no SSH; added to
 *   the same VM through QMP), target at least 0.8x, and against OpenSSH `ssh -L` over its own
 *   connection, target at least 3x (5% allowed for noise); with each path's first-byte latency
 *   (connect to the first bytes read);
 * - reverse-sshfs mount write/read against plain sshfs from the guest to the host's OpenSSH
 *   server with its sftp-server;
 * - 9p mount write/read against the guest's own disk, and virtiofs write/read against 9p on
 *   the same guest (a second VM); target at least 1.5x 9p for both;
 * - `limactl copy` of a random file host → guest and back (a third VM), `--backend scp`
 *   against OpenSSH's scp and `--backend rsync` against `rsync -e ssh`, both with the
 *   instance's ssh.config, the data checked by SHA-256; target at least 1.0x each way;
 * - forwarded UDP to a guest echo service (a fourth VM), through the host agent's forward
 *   (over the guest agent's tunnel unless LIMA_SSH_PORT_FORWARDER=true) against the SSH relay
 *   on the instance's SSH connection: round trips one datagram at a time and throughput with
 *   16 in flight (no target: reported only).
 *
 * Prints MB/s and ratios; exits 1 when a target is missed.
 *
 *   deno run -A bench/guest_io.ts [--size-mib 64] [--copy-mib 256] [--runs 3]
 *     [--only ssh|kernel-mounts|copy|udp]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { QmpClient } from "../drivers/qemu/qmp.ts";
import { loadAverage } from "./measure.ts";
import { freeLoopbackPort } from "../tests/fixtures/free_port.ts";
import { startSSHD } from "../tests/fixtures/sshd.ts";
import {
  instanceSSH,
  measureUDP,
  sshUDPForward,
  udpEchoScript,
  type UdpFigures,
  untilEchoed,
} from "./udp_paths.ts";
import { testTemplate } from "../tests/fixtures/test_template.ts";
import {
  guestImage,
  type Lima,
  start,
  virtiofsdProcesses,
  withLima,
} from "../tests/e2e/harness.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "size-mib": { type: "string", default: "64" },
    "copy-mib": { type: "string", default: "256" },
    runs: { type: "string", default: "3" },
    only: { type: "string" },
  },
});
const PARTS = ["ssh", "kernel-mounts", "copy", "udp"];
if (values.only !== undefined && !PARTS.includes(values.only)) {
  console.error(`--only takes one of: ${PARTS.join(", ")}`);
  Deno.exit(2);
}
const runs = (part: string) =>
  values.only === undefined || values.only === part;
const MIB = Number(values["size-mib"]);
const COPY_MIB = Number(values["copy-mib"]);
const RUNS = Number(values.runs);
const HOSTFWD_TARGET = 0.8;
const SSH_TARGET = 3;
const VIRTIOFS_TARGET = 1.5;
/** `limactl copy` against OpenSSH's scp and plain rsync. */
const COPY_TARGET = 1.0;
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

/**
 * MB/s of reading everything the guest service sends through host PORT, and the milliseconds
 * from connecting to the first bytes.
 */
async function download(
  port: number,
): Promise<{ rate: number; firstByteMs: number }> {
  for (let i = 0; i < 100; i++) {
    try {
      const started = performance.now();
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      let bytes = 0, firstByteMs = 0;
      const buf = new Uint8Array(1 << 20);
      for (let n; (n = await conn.read(buf)) !== null;) {
        if (bytes === 0) firstByteMs = performance.now() - started;
        bytes += n;
      }
      conn.close();
      if (bytes > 0) {
        return { rate: mbps(bytes, performance.now() - started), firstByteMs };
      }
    } catch {
      // The forward is not up yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing came through 127.0.0.1:${port}`);
}

/** `hostfwd_add` on the QEMU of the instance in DIR: host PORT to guest GUEST_PORT. */
async function addHostfwd(dir: string, port: number): Promise<void> {
  const qmp = await QmpClient.connect(join(dir, "qmp.sock"));
  try {
    await qmp.execute("human-monitor-command", {
      "command-line": `hostfwd_add net0 tcp:127.0.0.1:${port}-:${GUEST_PORT}`,
    });
  } finally {
    qmp.close();
  }
}

/** Which forwarder the host agent of instance "vm" logged, and the load before and now. */
async function printForwarder(lima: Lima, loadBefore: string): Promise<void> {
  const log = await Deno.readTextFile(`${lima.dir("vm")}/ha.stderr.log`);
  const forwarder = /[Ff]orwarding TCP and UDP ports over [^"]*/.exec(log)
    ?.[0];
  console.log(`host agent: ${forwarder ?? "no forwarder logged"}`);
  console.log(
    `load average ${loadBefore} before, ${await loadAverage()} after`,
  );
}

function report(label: string, ours: number[], base: number[]) {
  const o = median(ours), b = median(base);
  console.log(
    `${label.padEnd(48)} ${o.toFixed(1).padStart(7)} MB/s  baseline ${
      b.toFixed(1).padStart(7)
    } MB/s  ratio ${(o / b).toFixed(2)}x`,
  );
  return o / b;
}

const image = await guestImage();
const missed: string[] = [];

const SERVER = `
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
# All addresses: QEMU's hostfwd reaches the guest on its slirp address.
s.bind(("0.0.0.0", ${GUEST_PORT}))
s.listen()
chunk = bytes(1 << 20)
while True:
    c, _ = s.accept()
    for _ in range(${MIB}):
        c.sendall(chunk)
    c.close()
`;

// VM 1 ("ssh"): reverse-sshfs, forwarded TCP.
async function sshPaths(): Promise<void> {
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
      const sshPort = freeLoopbackPort(), hostfwdPort = freeLoopbackPort();
      await addHostfwd(lima.dir("vm"), hostfwdPort);
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
      const paths = { ours: GUEST_PORT, hostfwd: hostfwdPort, ssh: sshPort };
      const rate = {
        ours: [] as number[],
        hostfwd: [] as number[],
        ssh: [] as number[],
      };
      const first = {
        ours: [] as number[],
        hostfwd: [] as number[],
        ssh: [] as number[],
      };
      const loadBefore = await loadAverage();
      try {
        for (let i = 0; i < RUNS; i++) {
          for (const [name, port] of Object.entries(paths)) {
            const r = await download(port);
            rate[name as keyof typeof paths].push(r.rate);
            first[name as keyof typeof paths].push(r.firstByteMs);
          }
        }
      } finally {
        tunnel.kill();
        await tunnel.status;
      }
      await printForwarder(lima, loadBefore);
      const vsHostfwd = report(
        "forwarded TCP vs hostfwd",
        rate.ours,
        rate.hostfwd,
      );
      const vsSSH = report("forwarded TCP vs ssh -L", rate.ours, rate.ssh);
      report("hostfwd vs ssh -L", rate.hostfwd, rate.ssh);
      console.log(
        `first byte (median ms): forwarded ${
          median(first.ours).toFixed(1)
        }, hostfwd ${median(first.hostfwd).toFixed(1)}, ssh -L ${
          median(first.ssh).toFixed(1)
        }`,
      );
      if (vsHostfwd < HOSTFWD_TARGET - NOISE) {
        missed.push(`forwarded TCP (${HOSTFWD_TARGET}x hostfwd)`);
      }
      if (vsSSH < SSH_TARGET - NOISE) {
        missed.push(`forwarded TCP (${SSH_TARGET}x ssh -L)`);
      }

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
      await guest(
        lima,
        "fusermount3 -u /mnt/sshfs || fusermount -u /mnt/sshfs",
      );
    } finally {
      await lima.run(["stop", "vm"]);
      await Deno.remove(shared, { recursive: true });
      await Deno.remove(plain, { recursive: true });
    }
  });
}

// VM 2 ("kernel-mounts"): a virtiofs mount, and beside it a 9p share made as the qemu driver
// makes one for a writable 9p mount (the device through QEMU_SYSTEM_<ARCH>, the guest's mount
// options as the seed writes them), so the two are measured interleaved on one guest; the
// guest's own disk as 9p's baseline.
async function kernelMounts(): Promise<void> {
  const p9Dir = await Deno.makeTempDir({ prefix: "lc-bench" });
  const qemuSystem = `qemu-system-${Deno.build.arch}`;
  await withLima(async (lima) => {
    const virtiofs = await Deno.makeTempDir({ prefix: "lc-bench" });
    const template = parse(testTemplate(image));
    template.mountType = "virtiofs";
    template.mounts = [{
      location: virtiofs,
      mountPoint: "/mnt/virtiofs",
      writable: true,
    }];
    const file = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(file, stringify(template));
    await start(lima, ["--tty=false", file]);
    try {
      await guest(
        lima,
        `sudo mkdir -p /mnt/9p && sudo mount -t 9p -o rw,trans=virtio,version=9p2000.L,msize=${
          128 * 1024
        },cache=mmap bench9p /mnt/9p`,
      );
      const fs = { write: [] as number[], read: [] as number[] };
      const p9 = { write: [] as number[], read: [] as number[] };
      const disk = { write: [] as number[], read: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        const x = await ddRates(lima, "/mnt/virtiofs/bench.bin");
        const y = await ddRates(lima, "/mnt/9p/bench.bin");
        const z = await ddRates(lima, "/var/tmp/bench.bin");
        fs.write.push(x.write), fs.read.push(x.read);
        p9.write.push(y.write), p9.read.push(y.read);
        disk.write.push(z.write), disk.read.push(z.read);
      }
      report("9p write vs guest disk", p9.write, disk.write);
      report("9p read vs guest disk", p9.read, disk.read);
      const daemons = await virtiofsdProcesses(lima.dir("vm"));
      console.log(
        `virtiofsd: ${[...new Set(daemons.map((d) => d.command))].join(", ")}`,
      );
      const write = report("virtiofs write vs 9p", fs.write, p9.write);
      const read = report("virtiofs read vs 9p", fs.read, p9.read);
      if (Math.min(write, read) < VIRTIOFS_TARGET - NOISE) {
        missed.push(`virtiofs (${VIRTIOFS_TARGET}x 9p)`);
      }
    } finally {
      await lima.run(["stop", "vm"]);
      await Deno.remove(virtiofs, { recursive: true });
    }
  }, {
    [`QEMU_SYSTEM_${Deno.build.arch.toUpperCase()}`]:
      `${qemuSystem} -virtfs local,mount_tag=bench9p,path=${p9Dir},security_model=none`,
  });
  await Deno.remove(p9Dir, { recursive: true });
}

/** Runs CMD ARGS to success; gives its stdout. */
async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdin: "null" }).output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${out.code}: ${text.decode(out.stderr)}`,
    );
  }
  return text.decode(out.stdout);
}

/** Writes MIB MiB of random bytes to PATH. */
async function writeRandom(path: string, mib: number): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true });
  const buf = new Uint8Array(1 << 20);
  for (let i = 0; i < mib; i++) {
    for (let at = 0; at < buf.length; at += 65536) {
      crypto.getRandomValues(buf.subarray(at, at + 65536));
    }
    for (let done = 0; done < buf.length;) {
      done += await file.write(buf.subarray(done));
    }
  }
}

const sha256 = async (path: string) =>
  (await run("sha256sum", [path])).split(" ")[0];

/** A way to copy a file, given FROM and TO with the guest's paths as `HOST:PATH`. */
interface Copier {
  label: string;
  host: string;
  command(from: string, to: string): Deno.Command;
}

// VM 3 ("copy"): `limactl copy` with each backend and OpenSSH's own tools, interleaved, on one
// guest; each direction timed as a user sees it (the whole command), then checked by hash.
async function copyPaths(): Promise<void> {
  await withLima(async (lima) => {
    const file = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(file, testTemplate(image));
    await start(lima, ["--tty=false", file]);
    const work = await Deno.makeTempDir({ prefix: "lc-bench" });
    try {
      const config = `${lima.dir("vm")}/ssh.config`;
      const ssh = (script: string) =>
        run("ssh", ["-F", config, "lima-vm", script]);
      const limactl = (backend: string): Copier => ({
        label: `copy --backend ${backend}`,
        host: "vm",
        command: (from, to) =>
          lima.command(["copy", `--backend=${backend}`, from, to]),
      });
      const openssh = (label: string, argv: string[]): Copier => ({
        label,
        host: "lima-vm",
        command: (from, to) =>
          new Deno.Command(argv[0], {
            args: [...argv.slice(1), from, to],
            stdin: "null",
            stdout: "piped",
            stderr: "piped",
          }),
      });
      // Each backend beside its baseline.
      const pairs: [Copier, Copier][] = [
        [limactl("scp"), openssh("scp", ["scp", "-F", config])],
        [
          limactl("rsync"),
          openssh("rsync -e ssh", ["rsync", "-a", "-e", `ssh -F ${config}`]),
        ],
      ];
      const copiers = pairs.flat();
      const src = `${work}/src.bin`, back = `${work}/back.bin`;
      const inGuest = "/tmp/lc-bench.bin";
      await writeRandom(src, COPY_MIB);
      const hash = await sha256(src);
      const timed = async (c: Copier, from: string, to: string) => {
        const started = performance.now();
        const out = await c.command(from, to).output();
        const ms = performance.now() - started;
        if (!out.success) {
          throw new Error(
            `${c.label} ${from} ${to} exited ${out.code}: ${
              new TextDecoder().decode(out.stderr)
            }`,
          );
        }
        return mbps(COPY_MIB * 1048576, ms);
      };
      const check = (what: string, got: string) => {
        if (got !== hash) {
          throw new Error(`${what}: SHA-256 ${got}, not ${hash}`);
        }
      };
      const up = new Map(copiers.map((c) => [c, [] as number[]]));
      const down = new Map(copiers.map((c) => [c, [] as number[]]));
      console.log(
        `  copy: ${COPY_MIB} MiB, load average ${await loadAverage()}`,
      );
      for (let i = 0; i < RUNS; i++) {
        for (const c of copiers) {
          // Fresh targets, so that rsync has nothing to skip.
          await ssh(`rm -f ${inGuest}`);
          up.get(c)!.push(await timed(c, src, `${c.host}:${inGuest}`));
          await ssh("sync");
          check(
            `${c.label} to the guest`,
            (await ssh(`sha256sum ${inGuest}`)).split(" ")[0],
          );
          await Deno.remove(back).catch(() => {});
          down.get(c)!.push(await timed(c, `${c.host}:${inGuest}`, back));
          check(`${c.label} from the guest`, await sha256(back));
        }
      }
      console.log(`  load average after: ${await loadAverage()}`);
      for (const [o, b] of pairs) {
        const to = report(
          `${o.label} to guest vs ${b.label}`,
          up.get(o)!,
          up.get(b)!,
        );
        const from = report(
          `${o.label} from guest vs ${b.label}`,
          down.get(o)!,
          down.get(b)!,
        );
        if (Math.min(to, from) < COPY_TARGET - NOISE) {
          missed.push(`${o.label} (${COPY_TARGET}x ${b.label})`);
        }
      }
    } finally {
      await lima.run(["stop", "vm"]);
      await Deno.remove(work, { recursive: true });
    }
  });
}

// VM 4 ("udp"): a guest UDP echo service through the host agent's forward and through the SSH
// relay, interleaved.
async function udpPaths(): Promise<void> {
  const GUEST_UDP = 7001, ROUNDS = 200;
  await withLima(async (lima) => {
    const file = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(file, testTemplate(image));
    await start(lima, ["--tty=false", file]);
    const conn = await instanceSSH(lima.dir("vm"));
    try {
      await lima.expect(
        0,
        ["shell", "vm", "sh", "-c", "cat >/tmp/udp_echo.py"],
        udpEchoScript(GUEST_UDP),
      );
      await guest(
        lima,
        "sudo systemd-run --quiet --collect --unit=udpecho python3 /tmp/udp_echo.py",
      );
      const sshPort = freeLoopbackPort();
      const relay = await sshUDPForward(conn, GUEST_UDP, sshPort);
      const ours: UdpFigures[] = [], ssh: UdpFigures[] = [];
      const loadBefore = await loadAverage();
      try {
        // The host agent's forward appears once the guest agent reported the listener.
        await untilEchoed(GUEST_UDP, 30_000);
        for (let i = 0; i < RUNS; i++) {
          ours.push(await measureUDP(GUEST_UDP, ROUNDS));
          ssh.push(await measureUDP(sshPort, ROUNDS));
        }
      } finally {
        await relay.close();
      }
      await printForwarder(lima, loadBefore);
      report(
        "forwarded UDP vs SSH relay",
        ours.map((f) => f.rate),
        ssh.map((f) => f.rate),
      );
      const rtt = (fs: UdpFigures[]) => median(fs.map((f) => f.rttMs));
      const lost = (fs: UdpFigures[]) => fs.reduce((n, f) => n + f.lost, 0);
      console.log(
        `UDP round trip (median ms): forwarded ${
          rtt(ours).toFixed(2)
        }, SSH relay ${rtt(ssh).toFixed(2)}, ratio ${
          (rtt(ssh) / rtt(ours)).toFixed(2)
        }x; lost ${lost(ours)} and ${lost(ssh)} of ${RUNS * ROUNDS * 17} each`,
      );
    } finally {
      conn.close();
      await lima.run(["stop", "vm"]);
    }
  });
}

if (runs("ssh")) await sshPaths();
if (runs("kernel-mounts")) await kernelMounts();
if (runs("copy")) await copyPaths();
if (runs("udp")) await udpPaths();

if (missed.length > 0) {
  console.log(`missed targets: ${missed.join(", ")}`);
  Deno.exit(1);
}
