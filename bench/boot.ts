/**
 * Boot benchmark: time to READY of `limactl start` (a fresh instance of the test template,
 * timed from the command's start to its exit) against a bare baseline run in the same process:
 * the QEMU command line the qemu driver used for that instance (read from the running QEMU's
 * `/proc/<pid>/cmdline`, the instance directory and SSH port swapped for the baseline's own),
 * a fresh copy of the same image, kernel and initrd, and a cidata seed that only creates the
 * same user with the same key, timed from QEMU's start to the first successful
 * `ssh -o BatchMode=yes ... true`. Runs alternate ABBA style, one VM at a time, and every VM is
 * killed and deleted afterwards. Then the fast path (the same template with
 * `cloud-init=disabled`, booting through the seed's lima-init, which lets the qemu driver boot
 * the kernel's PVH form) is timed to READY, with the moment an OpenSSH login first succeeds.
 * Every limactl instance is also stopped and started again (a restart, timed to READY), and
 * each boot's time is broken down by the host agent's boot phases, the guest's
 * `systemd-analyze` and the CPU time its units used. Prints each run, the medians, the ratios
 * and the load average (the machine may be shared); exits 1 when a target is missed: limactl at
 * most 1.10x the baseline, the fast path at least 2x faster than cloud-init on a first boot and
 * on a restart, and READY within 1 s of the first login.
 *
 *   deno run -A bench/boot.ts [--runs N] [--keep-logs DIR]
 *
 * Needs QEMU, qemu-img and ssh; building the guest image (when not cached) needs root.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { buildIso } from "../core/cidata/iso9660.ts";
import {
  buildGuestImage,
  type GuestImage,
} from "../tests/fixtures/guest_image.ts";
import { freeLoopbackPort } from "../tests/fixtures/free_port.ts";
import { sshBanner } from "../tests/fixtures/qemu_vm.ts";
import { testTemplate } from "../tests/fixtures/test_template.ts";
import { loadAverage, median, seconds } from "./measure.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "2" },
    "keep-logs": { type: "string" },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, got ${values.runs}`);
  Deno.exit(2);
}
const keepLogs = values["keep-logs"];
const MAX_RATIO = 1.10;
/** The fast path must reach READY at least this many times faster than cloud-init. */
const FAST_RATIO = 2;
/** ... and within this long of the guest's first SSH login. */
const MAX_READY_GAP_MS = 1000;
const BOOT_TIMEOUT_MS = 5 * 60_000;
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const decoder = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the baseline copies from a `limactl start` of the instance. */
interface Recipe {
  qemu: string;
  args: string[];
  instDir: string;
  sshPort: number;
  /** The `users` entry of the instance's user-data. */
  users: unknown;
  user: string;
  key: string;
}

interface LimaTimes {
  ready: number;
  /** When an OpenSSH login to the guest first succeeded (watched runs only). */
  firstLogin?: number;
  /** From the host agent's log, relative to the start of `limactl start`. */
  qemuStarted?: number;
  sshSatisfied?: number;
  /** Each boot phase of the host agent's events, relative to the start of `limactl start`. */
  phases: [string, number][];
  /** `limactl start` of the stopped instance to READY (restart runs only), with its phases. */
  restart?: { ready: number; phases: [string, number][] };
}

// A short LIMA_HOME: the instance's unix sockets must fit in sun_path.
const home = await Deno.makeTempDir({ prefix: "lb" });
const limactl = (args: string[]) =>
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { LIMA_HOME: home },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });

/** `limactl start` of instance NAME: made from TEMPLATE, or without it the stopped one. */
const startArgs = (name: string, template?: string) => [
  "start",
  "--tty=false",
  "--timeout",
  `${BOOT_TIMEOUT_MS / 1000}s`,
  ...(template ? ["--name", name, template] : [name]),
];

/** QEMU's argv, read while it runs; empty when SIGNAL aborts first. */
async function readQemuCommandLine(
  dir: string,
  signal: AbortSignal,
): Promise<string[]> {
  while (!signal.aborted) {
    try {
      const pid = Number(
        (await Deno.readTextFile(join(dir, "qemu.pid"))).trim(),
      );
      const raw = await Deno.readFile(`/proc/${pid}/cmdline`);
      const words = decoder.decode(raw).split("\0");
      if (words.at(-1) === "") words.pop();
      if (words.length > 1) return words;
    } catch {
      // Not started yet.
    }
    await sleep(100);
  }
  return [];
}

/** The `bootPhase` events of `ha.stdout.log` (EVENTS) from START on, each with its time since. */
function phaseTimes(events: string, start: number): [string, number][] {
  return events.split("\n").filter(Boolean).map((line) => JSON.parse(line))
    .filter((e) => e.status?.bootPhase && Date.parse(e.time) >= start)
    .map((e) => [e.status.bootPhase.phase, Date.parse(e.time) - start]);
}

/** Where a boot's time went, between the phases the console and the host agent show. */
function breakdown(phases: [string, number][]): string {
  const at = new Map(phases);
  const span = (label: string, from: string, to: string) => {
    const a = at.get(from), b = at.get(to);
    return a === undefined || b === undefined
      ? undefined
      : `${label} ${seconds(b - a)}`;
  };
  return [
    span(
      "QEMU start",
      "vm-started",
      at.has("firmware") ? "firmware" : "kernel",
    ),
    span("firmware", "firmware", "kernel"),
    span("kernel", "kernel", at.has("initrd") ? "initrd" : "userspace"),
    span("initrd", "initrd", "userspace"),
    span("userspace to sshd", "userspace", "sshd"),
    span("boot scripts", "boot-scripts", "boot-scripts-done"),
    span("sshd to READY", "sshd", "ready"),
  ].filter(Boolean).join(", ");
}

/**
 * Read first in the guest, so that the other commands do not count: the CPU time since boot
 * (`/proc/stat`, in USER_HZ ticks) and what systemd accounted to each service and scope,
 * those that have exited included.
 */
const GUEST_CPU = "head -1 /proc/stat; " +
  "systemctl show -p Id -p CPUUsageNSec '*.service' '*.scope'";

/**
 * Where the guest's CPU time went by READY, from GUEST_CPU's output: busy and idle time over
 * all vCPUs and the units that used the most. Under emulation the boot is bound by CPU, so
 * this shows what to remove; starting more in parallel only pays while CPUs sit idle.
 */
function cpuSummary(text: string, top = 8): string {
  const ticks = /^cpu\s+(.*)$/m.exec(text)?.[1].split(/\s+/).map(Number);
  if (!ticks) return "CPU ?";
  // user nice system idle iowait irq softirq; USER_HZ is 100 on Linux.
  const [user, nice, system, idle, iowait, irq, softirq] = ticks;
  const busy = (user + nice + system + irq + softirq) * 10;
  const units = text.split(/\n\s*\n/).map((block) =>
    [
      /^Id=(.+)$/m.exec(block)?.[1] ?? "",
      Number(/^CPUUsageNSec=(\d+)$/m.exec(block)?.[1] ?? 0) / 1e6,
    ] as const
  ).filter(([id, ms]) => id && ms > 0).sort((a, b) => b[1] - a[1]);
  // The kernel, the initrd and sessions that have ended are in no unit listed.
  const outside = units.reduce((left, [, ms]) => left - ms, busy);
  return `CPU busy ${seconds(busy)}, idle ${seconds((idle + iowait) * 10)}; ` +
    [["outside units", outside] as const, ...units.slice(0, top)]
      .map(([unit, ms]) => `${unit} ${seconds(ms)}`).join(", ");
}

/**
 * The guest's own account of its boot: where its CPU time went, `systemd-analyze` and when
 * sshd started.
 */
async function guestAnalysis(name: string): Promise<string> {
  const out = await limactl([
    "shell",
    name,
    "sh",
    "-c",
    `${GUEST_CPU}; echo ---; systemd-analyze; ` +
    "systemd-analyze critical-chain ssh.service | grep -m1 ssh.service",
  ]).output();
  const [cpu, analysis = ""] = decoder.decode(out.stdout).split("\n---\n");
  return `${cpuSummary(cpu)}. ${analysis.replace(/\s+/g, " ").trim()}`;
}

/** `limactl stop` then a timed `limactl start` of NAME; DIR is its instance directory. */
async function restartRun(
  dir: string,
  name: string,
): Promise<{ ready: number; phases: [string, number][] }> {
  const stop = await limactl(["stop", name]).output();
  if (!stop.success) {
    throw new Error(
      `limactl stop ${name} failed:\n${decoder.decode(stop.stderr)}`,
    );
  }
  const wallStart = Date.now();
  const started = performance.now();
  const out = await limactl(startArgs(name)).output();
  const ready = performance.now() - started;
  if (!out.success) {
    throw new Error(
      `limactl start ${name} (restart) failed:\n${decoder.decode(out.stderr)}`,
    );
  }
  const events = await Deno.readTextFile(join(dir, "ha.stdout.log"));
  return { ready, phases: phaseTimes(events, wallStart) };
}

/** Seconds since START of the first host agent log record whose message matches RE. */
function logTime(log: string, re: RegExp, start: number): number | undefined {
  for (const line of log.split("\n")) {
    try {
      const rec = JSON.parse(line) as { msg?: string; time?: string };
      if (rec.msg && re.test(rec.msg) && rec.time) {
        return Date.parse(rec.time) - start;
      }
    } catch {
      // Not a JSON record.
    }
  }
  return undefined;
}

async function saveLogs(dir: string, files: string[], tag: string) {
  if (!keepLogs) return;
  await Deno.mkdir(keepLogs, { recursive: true });
  for (const f of files) {
    await Deno.copyFile(join(dir, f), join(keepLogs, `${tag}.${f}`)).catch(
      () => {},
    );
  }
}

/** Milliseconds from STARTED until `ssh lima-NAME true` first succeeds, tried every 250 ms. */
async function firstLogin(
  dir: string,
  name: string,
  started: number,
  signal: AbortSignal,
): Promise<number | undefined> {
  const config = join(dir, "ssh.config");
  while (!signal.aborted) {
    const ok = await Deno.stat(config).then(() => true, () => false) &&
      (await new Deno.Command("ssh", {
        args: [
          ...["-F", config, "-o", "ControlPath=none"],
          ...["-o", "ConnectTimeout=2", `lima-${name}`, "true"],
        ],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).output()).success;
    if (ok) return performance.now() - started;
    await sleep(250);
  }
  return undefined;
}

async function limaRun(
  template: string,
  name: string,
  options: { watchLogin?: boolean; restart?: boolean } = {},
): Promise<{ times: LimaTimes; recipe: Recipe }> {
  const dir = join(home, name);
  const wallStart = Date.now();
  const started = performance.now();
  const child = limactl(startArgs(name, template)).spawn();
  const watching = new AbortController();
  const cmdline = readQemuCommandLine(dir, watching.signal);
  const login = options.watchLogin
    ? firstLogin(dir, name, started, watching.signal)
    : undefined;
  const out = await child.output();
  const ready = performance.now() - started;
  try {
    if (!out.success) {
      throw new Error(
        `limactl start ${name} failed:\n${decoder.decode(out.stderr)}`,
      );
    }
    watching.abort();
    const [qemu, ...args] = await cmdline;
    if (!qemu) throw new Error("QEMU's command line was not seen");
    const log = await Deno.readTextFile(join(dir, "ha.stderr.log"));
    const config = parse(
      await Deno.readTextFile(join(dir, "cloud-config.yaml")),
    ) as { users: { name: string }[] };
    const port = /hostfwd=tcp:127\.0\.0\.1:(\d+)-:22/.exec(args.join(" "));
    if (!port) throw new Error("no SSH hostfwd in the QEMU command line");
    const phases = phaseTimes(
      await Deno.readTextFile(join(dir, "ha.stdout.log")),
      wallStart,
    );
    console.log(`  ${name}: ${breakdown(phases)}`);
    console.log(`  ${name} guest: ${await guestAnalysis(name)}`);
    const restart = options.restart ? await restartRun(dir, name) : undefined;
    if (restart) {
      console.log(`  ${name} restart: ${breakdown(restart.phases)}`);
      console.log(`  ${name} restart guest: ${await guestAnalysis(name)}`);
    }
    return {
      times: {
        ready,
        firstLogin: await login,
        qemuStarted: logTime(log, /^Starting QEMU/, wallStart),
        sshSatisfied: logTime(
          log,
          /^The essential requirement 1 of \d+ is satisfied/,
          wallStart,
        ),
        phases,
        restart,
      },
      recipe: {
        qemu,
        args,
        instDir: dir,
        sshPort: Number(port[1]),
        users: config.users,
        user: config.users[0].name,
        key: join(home, "_config", "user"),
      },
    };
  } finally {
    watching.abort();
    await saveLogs(
      dir,
      ["ha.stdout.log", "ha.stderr.log", "serial.log"],
      name,
    );
    await limactl(["stop", "--force", name]).output();
    await limactl(["delete", "--force", name]).output();
  }
}

async function sshLogin(recipe: Recipe, port: number): Promise<boolean> {
  const out = await new Deno.Command("ssh", {
    args: [
      ...["-q", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no"],
      ...["-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5"],
      ...["-o", "IdentitiesOnly=yes", "-i", recipe.key, "-p", String(port)],
      `${recipe.user}@127.0.0.1`,
      "true",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

async function baselineRun(
  image: GuestImage,
  recipe: Recipe,
  tag: string,
): Promise<number> {
  const dir = join(home, tag);
  await Deno.mkdir(dir);
  try {
    await Deno.copyFile(image.disk, join(dir, "disk"));
    await Deno.copyFile(image.kernel, join(dir, "kernel"));
    await Deno.copyFile(image.initrd, join(dir, "initrd"));
    const text = new TextEncoder();
    const iso = buildIso([
      {
        path: "user-data",
        data: text.encode(
          "#cloud-config\n" + stringify({ users: recipe.users }),
        ),
      },
      {
        path: "meta-data",
        data: text.encode(
          `instance-id: iid-${tag}-${Date.now()}\nlocal-hostname: lima-${tag}\n`,
        ),
      },
    ], { volumeLabel: "cidata" });
    await Deno.writeFile(join(dir, "cidata.iso"), iso);
    const port = freeLoopbackPort();
    const args = recipe.args.map((a) =>
      a.replaceAll(recipe.instDir, dir).replace(
        `hostfwd=tcp:127.0.0.1:${recipe.sshPort}-:22`,
        `hostfwd=tcp:127.0.0.1:${port}-:22`,
      )
    );
    const started = performance.now();
    const qemu = new Deno.Command(recipe.qemu, {
      args,
      cwd: dir,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(qemu.stderr).text();
    let exited = false;
    qemu.status.then(() => exited = true);
    try {
      for (;;) {
        if (exited) {
          throw new Error(`QEMU exited during the baseline: ${await stderr}`);
        }
        if (performance.now() - started > BOOT_TIMEOUT_MS) {
          throw new Error(
            `no SSH login within ${seconds(BOOT_TIMEOUT_MS)} (baseline)`,
          );
        }
        if (await sshBanner(port) && await sshLogin(recipe, port)) {
          return performance.now() - started;
        }
        await sleep(100);
      }
    } finally {
      await saveLogs(dir, ["serial.log"], tag);
      if (!exited) qemu.kill("SIGKILL");
      await qemu.status;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

try {
  const image = await buildGuestImage();
  const template = join(home, "boot.yaml");
  // The kernel and initrd a user's image boots (the tests boot the faster PVH kernel): the
  // figures stay comparable with earlier runs.
  await Deno.writeTextFile(
    template,
    testTemplate(image, { compressedKernel: true }),
  );
  const limaTimes: LimaTimes[] = [];
  const baseTimes: number[] = [];
  let recipe: Recipe | undefined;
  const lima = async (i: number) => {
    const load = await loadAverage();
    const r = await limaRun(template, `vm${i}`, { restart: true });
    recipe = r.recipe;
    limaTimes.push(r.times);
    const t = r.times;
    console.log(
      `limactl start #${i}: READY ${seconds(t.ready)} (QEMU started at ${
        t.qemuStarted === undefined ? "?" : seconds(t.qemuStarted)
      }, ssh requirement met at ${
        t.sshSatisfied === undefined ? "?" : seconds(t.sshSatisfied)
      }), restart READY ${seconds(t.restart!.ready)}; load before: ${load}`,
    );
    console.log(
      `  phases: ${
        t.phases.map(([phase, at]) => `${phase} ${seconds(at)}`).join(", ")
      }`,
    );
  };
  const baseline = async (i: number) => {
    const load = await loadAverage();
    const t = await baselineRun(image, recipe!, `base${i}`);
    baseTimes.push(t);
    console.log(
      `baseline       #${i}: first SSH login ${
        seconds(t)
      }; load before: ${load}`,
    );
  };
  // The first limactl run supplies the command line; then ABBA to even out order effects.
  for (let i = 1; i <= runs; i++) {
    if (i % 2 === 1) {
      await lima(i);
      await baseline(i);
    } else {
      await baseline(i);
      await lima(i);
    }
  }
  const base = median(baseTimes);
  const ready = median(limaTimes.map((t) => t.ready));
  const ratio = ready / base;
  console.log(`runs: ${runs} each, load average now: ${await loadAverage()}`);
  console.log(`baseline (QEMU to first SSH login): median ${seconds(base)}`);
  console.log(`limactl start to READY:             median ${seconds(ready)}`);
  console.log(
    `ratio ${ratio.toFixed(2)}x (target <= ${MAX_RATIO}x)`,
  );
  if (ratio > MAX_RATIO) Deno.exitCode = 1;

  // The fast path (lima-init instead of cloud-init) on the same image.
  const fastTemplate = join(home, "fast.yaml");
  await Deno.writeTextFile(
    fastTemplate,
    testTemplate(image, { fastBoot: true, compressedKernel: true }),
  );
  const fastTimes: LimaTimes[] = [];
  for (let i = 1; i <= runs; i++) {
    const load = await loadAverage();
    const { times } = await limaRun(fastTemplate, `fast${i}`, {
      watchLogin: true,
      restart: true,
    });
    fastTimes.push(times);
    console.log(
      `fast path      #${i}: READY ${seconds(times.ready)}, first login ${
        times.firstLogin === undefined ? "?" : seconds(times.firstLogin)
      }, restart READY ${seconds(times.restart!.ready)}; load before: ${load}`,
    );
  }
  const fast = median(fastTimes.map((t) => t.ready));
  const restartRatio = median(limaTimes.map((t) => t.restart!.ready)) /
    median(fastTimes.map((t) => t.restart!.ready));
  const gap = median(
    fastTimes.map((t) => t.ready - (t.firstLogin ?? Infinity)),
  );
  console.log(`fast path to READY:                 median ${seconds(fast)}`);
  console.log(
    `cloud-init path / fast path: first boot ${(ready / fast).toFixed(2)}x, ` +
      `restart ${restartRatio.toFixed(2)}x (target >= ${FAST_RATIO}x)`,
  );
  console.log(
    `READY after the first SSH login: median ${seconds(gap)} (target <= ${
      seconds(MAX_READY_GAP_MS)
    })`,
  );
  if (
    Math.min(ready / fast, restartRatio) < FAST_RATIO ||
    gap > MAX_READY_GAP_MS
  ) Deno.exitCode = 1;
} finally {
  for await (const entry of Deno.readDir(home)) {
    if (entry.isDirectory && /^(vm|fast)\d+$/.test(entry.name)) {
      await limactl(["stop", "--force", entry.name]).output();
    }
  }
  await Deno.remove(home, { recursive: true });
}
