/**
 * What every VM test shares: a temporary LIMA_HOME with `limactl` run against it, the guest
 * image, and waiting and cleanup helpers. Outside CI a missing prerequisite skips a VM test
 * (`skipVMTests`); under CI=true it fails it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildGuestImage, type GuestImage } from "../fixtures/guest_image.ts";
import { buildCloudImage, type CloudImage } from "../fixtures/cloud_image.ts";
import { missingPrerequisites } from "../fixtures/prerequisites.ts";

export const CI = Deno.env.get("CI") === "true";
/** The checkout's entry point, which every `limactl` run of the tests runs. */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
/** Per boot; TCG on 2 cores needs 40-60 s, more on a busy machine. */
export const BOOT_TIMEOUT = Deno.env.get("LIMA_TEST_BOOT_TIMEOUT") ?? "6m";
const BUILD_TIMEOUT_MS = 20 * 60 * 1000;

export const decoder = new TextDecoder();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const missing = await missingPrerequisites([
  ["qemu-system-x86_64", "qemu-system-x86"],
  ["qemu-img", "qemu-utils"],
  ["ssh-keygen", "openssh-client"],
]);
/** True when VM tests should be skipped (not in CI, prerequisites missing). */
export const skipVMTests = missing.length > 0 && !CI;
if (skipVMTests) {
  console.error(`VM tests skipped, missing: ${missing.join(", ")}`);
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The working directory of `limactl`. */
  cwd?: string;
}

/** A temporary LIMA_HOME (short: socket paths must fit) and `limactl` run against it. */
export class Lima {
  /** ENV is added to the environment of every `limactl` run. */
  constructor(
    readonly home: string,
    readonly env: Record<string, string> = {},
  ) {}

  dir(name: string): string {
    return `${this.home}/${name}`;
  }

  /** `limactl ARGS`, run in OPTIONS.cwd (default: LIMA_HOME). */
  command(
    args: string[],
    stdin: "piped" | "null" = "null",
    options: RunOptions = {},
  ) {
    return new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args],
      env: { ...this.env, LIMA_HOME: this.home },
      cwd: options.cwd ?? this.home,
      stdin,
      stdout: "piped",
      stderr: "piped",
    });
  }

  async run(
    args: string[],
    stdin?: string | Uint8Array,
    options: RunOptions = {},
  ): Promise<Result> {
    const child = this.command(
      args,
      stdin === undefined ? "null" : "piped",
      options,
    ).spawn();
    if (stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(
        typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin,
      );
      await writer.close();
    }
    const out = await child.output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  }

  async expect(
    code: number,
    args: string[],
    stdin?: string | Uint8Array,
    options: RunOptions = {},
  ) {
    const r = await this.run(args, stdin, options);
    assert.equal(
      r.code,
      code,
      `limactl ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`,
    );
    return r;
  }

  /** The trimmed output of SCRIPT run with `sh -c` in instance NAME; fails the test on an error. */
  async sh(name: string, script: string): Promise<string> {
    const r = await this.expect(0, ["shell", name, "sh", "-c", script]);
    return r.stdout.trim();
  }

  /**
   * Runs the wrapper script NAME (`cli/wrappers/NAME`) as a user would: a `limactl` on PATH
   * that runs this checkout, with ENV added.
   */
  async wrapper(
    name: string,
    args: string[],
    env: Record<string, string> = {},
  ): Promise<Result> {
    const bin = `${this.home}/bin`;
    await Deno.mkdir(bin, { recursive: true });
    await Deno.writeTextFile(
      `${bin}/limactl`,
      `#!/bin/sh\nexec "${Deno.execPath()}" run -A "${MAIN}" "$@"\n`,
      { mode: 0o755 },
    );
    const out = await new Deno.Command(
      fileURLToPath(new URL(`../../cli/wrappers/${name}`, import.meta.url)),
      {
        args,
        env: {
          ...this.env,
          ...env,
          LIMA_HOME: this.home,
          PATH: `${bin}:${Deno.env.get("PATH")}`,
        },
        stdin: "null",
      },
    ).output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  }

  async status(name: string): Promise<{ status: string; errors: string[] }> {
    const r = await this.expect(0, ["list", "--json", name]);
    const inst = JSON.parse(r.stdout.trim().split("\n")[0]);
    return { status: inst.status, errors: inst.errors ?? [] };
  }

  async pid(name: string, file: string): Promise<number> {
    const text = await Deno.readTextFile(`${this.dir(name)}/${file}`);
    return Number(text.trim());
  }
}

/**
 * `DENO_DIR` of this process, for `limactl` runs given another HOME or XDG_CACHE_HOME, which
 * would otherwise fetch every npm package again into a Deno cache of their own.
 */
export async function denoDirEnv(): Promise<Record<string, string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  return { DENO_DIR: JSON.parse(decoder.decode(out.stdout)).denoDir };
}

/** Whether PID runs (a zombie nobody reaps does not count). */
export async function running(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

export async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) {
      assert.fail(`timed out after ${seconds(timeoutMs)} waiting for ${what}`);
    }
    await sleep(100);
  }
  return performance.now() - started;
}

/** `qemu-img check` of the instance disk: no corruption, no leaks. */
export async function checkDisk(path: string): Promise<void> {
  const out = await new Deno.Command("qemu-img", {
    args: ["check", path],
    stdin: "null",
  }).output();
  assert.equal(
    out.code,
    0,
    `qemu-img check ${path}: ${decoder.decode(out.stdout)}${
      decoder.decode(out.stderr)
    }`,
  );
}

export async function start(
  lima: Lima,
  args: string[],
  options: { timeout?: string } = {},
): Promise<Result> {
  const started = performance.now();
  const timeout = options.timeout ?? BOOT_TIMEOUT;
  const r = await lima.run(["start", "--timeout", timeout, ...args]);
  if (r.code !== 0) {
    assert.fail(
      `limactl start ${args.join(" ")} exited ${r.code} after ${
        seconds(performance.now() - started)
      }:\n${r.stderr}${r.stdout}${await logTails(lima.home)}`,
    );
  }
  console.log(
    `  limactl start ${args.at(-1)}: READY after ${
      seconds(performance.now() - started)
    }`,
  );
  return r;
}

/** The files whose last lines say why a start failed, for each instance in HOME. */
const DIAGNOSTIC_LOGS = ["ha.stderr.log", "serial.log"];

/**
 * The last lines of every instance's host agent and serial logs under HOME, so that a start
 * failing in CI explains itself in the test output.
 */
export async function logTails(home: string, lines = 15): Promise<string> {
  let text = "";
  for await (const entry of Deno.readDir(home)) {
    if (!entry.isDirectory || /^[._]/.test(entry.name)) continue;
    for (const log of DIAGNOSTIC_LOGS) {
      const content = await Deno.readTextFile(`${home}/${entry.name}/${log}`)
        .catch(() => undefined);
      if (!content) continue;
      const tail = content.trimEnd().split("\n").slice(-lines).join("\n");
      text += `\n--- ${entry.name}/${log} (last ${lines} lines) ---\n${tail}\n`;
    }
  }
  return text;
}

/**
 * The virtiofsd processes serving the instance in DIR: each one's binary and socket (QEMU not
 * counted; the C daemon runs as two processes, one in its own pid namespace).
 */
export async function virtiofsdProcesses(
  dir: string,
): Promise<{ command: string; socket: string }[]> {
  const found: { command: string; socket: string }[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`)
      .catch(() => "");
    const [command] = cmdline.split("\0");
    const socket = cmdline.match(/virtiofsd-\d+\.sock/)?.[0];
    if (command.endsWith("virtiofsd") && cmdline.includes(dir) && socket) {
      found.push({ command, socket });
    }
  }
  return found;
}

/** Kills every QEMU process the test's instances may have left. */
export async function killLeftovers(home: string): Promise<void> {
  const out = await new Deno.Command("pgrep", {
    args: ["-f", `qemu-system.*${home}/`],
    stdout: "piped",
  }).output();
  for (const pid of decoder.decode(out.stdout).split("\n").filter(Boolean)) {
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

export async function withLima(
  fn: (lima: Lima) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "lc" });
  const lima = new Lima(home, env);
  try {
    await fn(lima);
  } finally {
    for await (const entry of Deno.readDir(home)) {
      if (entry.isDirectory && !/^[._]/.test(entry.name)) {
        await lima.run(["stop", "--force", entry.name]);
      }
    }
    await killLeftovers(home);
    await Deno.remove(home, { recursive: true });
  }
}

/** Runs the image builder BUILD under the build timeout, logging how long it took. */
async function timedBuild<T>(
  what: string,
  build: (options: { signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  assert.deepEqual(missing, [], "prerequisites are missing in CI");
  const started = performance.now();
  const image = await build({ signal: AbortSignal.timeout(BUILD_TIMEOUT_MS) });
  console.log(`  ${what} ready after ${seconds(performance.now() - started)}`);
  return image;
}

export function guestImage(): Promise<GuestImage> {
  return timedBuild("guest image", buildGuestImage);
}

/** The cloud-shaped image of `build-cloud-image.sh` (GPT, UEFI and BIOS GRUB, growpart). */
export function cloudImage(): Promise<CloudImage> {
  return timedBuild("cloud image", buildCloudImage);
}

/**
 * Asserts that the user's systemd manager in instance NAME lingers with a delegated cgroup and
 * started once in this boot: a boot script that ends the user's sessions after it started
 * would stop it, and the host's next login would wait for a new one.
 */
export async function assertUserManager(
  lima: Lima,
  name: string,
): Promise<void> {
  const out = await lima.sh(
    name,
    [
      'unit="user@$(id -u).service"',
      'loginctl show-user "$USER" -p Linger --value',
      'systemctl show "$unit" -p Delegate -p ActiveState --value',
      `sudo journalctl -b -q -o cat _PID=1 UNIT="$unit" | grep -c '^Started '`,
    ].join("; "),
  );
  assert.deepEqual(out.split("\n"), ["yes", "yes", "active", "1"]);
}
