/**
 * The life of a real instance through the `limactl` CLI, on the Debian test guest: create and
 * start from a template, shell (output, stdin, exit codes), copy both ways, stop and start with
 * the data kept, kill -9 of QEMU and of the host agent with the status that `list` reports and
 * the recovery, and the errors for bad images, a busy SSH port and a guest whose SSH never
 * answers. Needs root (the image build), QEMU and qemu-img; outside CI a missing prerequisite
 * skips the test, in CI it fails it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { buildGuestImage, type GuestImage } from "../fixtures/guest_image.ts";
import { testTemplate } from "../fixtures/test_template.ts";
import { missingPrerequisites } from "../fixtures/prerequisites.ts";

const CI = Deno.env.get("CI") === "true";
const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
/** Per boot; TCG on 2 cores needs 40-60 s, more on a busy machine. */
const BOOT_TIMEOUT = Deno.env.get("LIMA_TEST_BOOT_TIMEOUT") ?? "6m";
const BUILD_TIMEOUT_MS = 20 * 60 * 1000;

const decoder = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const missing = await missingPrerequisites([
  ["qemu-system-x86_64", "qemu-system-x86"],
  ["qemu-img", "qemu-utils"],
  ["ssh-keygen", "openssh-client"],
]);
const skip = missing.length > 0 && !CI;
if (skip) {
  console.error(`lifecycle_test: skipped, missing: ${missing.join(", ")}`);
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary LIMA_HOME (short: socket paths must fit) and `limactl` run against it. */
class Lima {
  constructor(readonly home: string) {}

  dir(name: string): string {
    return `${this.home}/${name}`;
  }

  command(args: string[], stdin: "piped" | "null" = "null") {
    return new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args],
      env: { LIMA_HOME: this.home },
      cwd: this.home,
      stdin,
      stdout: "piped",
      stderr: "piped",
    });
  }

  async run(args: string[], stdin?: string | Uint8Array): Promise<Result> {
    const child = this.command(args, stdin === undefined ? "null" : "piped")
      .spawn();
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

  async expect(code: number, args: string[], stdin?: string | Uint8Array) {
    const r = await this.run(args, stdin);
    assert.equal(
      r.code,
      code,
      `limactl ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`,
    );
    return r;
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

/** Whether PID runs (a zombie nobody reaps does not count). */
async function running(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitFor(
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
async function checkDisk(path: string): Promise<void> {
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

async function start(lima: Lima, args: string[]): Promise<Result> {
  const started = performance.now();
  const r = await lima.expect(0, ["start", "--timeout", BOOT_TIMEOUT, ...args]);
  console.log(
    `  limactl start ${args.at(-1)}: READY after ${
      seconds(performance.now() - started)
    }`,
  );
  return r;
}

/** Kills every QEMU process the test's instances may have left. */
async function killLeftovers(home: string): Promise<void> {
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

async function withLima(fn: (lima: Lima) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "lc" });
  const lima = new Lima(home);
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

async function guestImage(): Promise<GuestImage> {
  assert.deepEqual(missing, [], "prerequisites are missing in CI");
  const started = performance.now();
  const image = await buildGuestImage({
    signal: AbortSignal.timeout(BUILD_TIMEOUT_MS),
  });
  console.log(
    `  guest image ready after ${seconds(performance.now() - started)}`,
  );
  return image;
}

Deno.test({
  name:
    "an instance starts, runs commands, keeps its data across restarts and survives kill -9",
  ignore: skip,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    const template = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(template, testTemplate(image));
    const name = "vm";
    const dir = lima.dir(name);

    await t.step(
      "start creates the instance and waits until it is ready",
      async () => {
        const r = await start(lima, ["--tty=false", template]);
        assert.match(r.stderr, /SSH Local Port: \d+/);
        assert.match(r.stderr, /The final requirement 1 of 1 is satisfied/);
        assert.match(
          r.stderr,
          /READY\. Run `limactl shell vm` to open the shell\./,
        );
        assert.equal((await lima.status(name)).status, "Running");
        const info = await Deno.stat(`${dir}/ha.sock`);
        assert.equal(info.mode! & 0o777, 0o600, "ha.sock is private");
        const again = await lima.expect(0, ["start", name]);
        assert.match(again.stderr, /The instance `vm` is already running/);
      },
    );

    let marker = "";
    await t.step("shell runs commands with stdin and exit codes", async () => {
      const uname = await lima.expect(0, ["shell", name, "uname", "-a"]);
      assert.match(uname.stdout, /^Linux lima-vm /);
      const piped = await lima.run(
        ["shell", name, "sh", "-c", "tr a-z A-Z; exit 7"],
        "piped through\n",
      );
      assert.equal(piped.code, 7, piped.stderr);
      assert.equal(piped.stdout, "PIPED THROUGH\n");
      marker = `data-${crypto.randomUUID()}`;
      await lima.expect(0, [
        "shell",
        name,
        "sh",
        "-c",
        `echo ${marker} > ~/marker && sync`,
      ]);
    });

    await t.step("copy moves files both ways byte for byte", async () => {
      const data = new Uint8Array(300_000);
      for (let at = 0; at < data.length; at += 65536) {
        crypto.getRandomValues(data.subarray(at, at + 65536));
      }
      await Deno.writeFile(`${lima.home}/up.bin`, data);
      await lima.expect(0, [
        "copy",
        `${lima.home}/up.bin`,
        `${name}:/tmp/up.bin`,
      ]);
      await lima.expect(0, [
        "copy",
        `${name}:/tmp/up.bin`,
        `${lima.home}/down.bin`,
      ]);
      assert.deepEqual(await Deno.readFile(`${lima.home}/down.bin`), data);
    });

    await t.step(
      "stop shuts the guest down; start brings the data back",
      async () => {
        const qemu = await lima.pid(name, "qemu.pid");
        const r = await lima.expect(0, ["stop", name]);
        assert.match(r.stderr, /The instance vm has shut down/);
        assert.equal((await lima.status(name)).status, "Stopped");
        assert.equal(await running(qemu), false, "QEMU has exited");
        await checkDisk(`${dir}/disk`);
        await lima.expect(1, ["stop", name]);
        await start(lima, [name]);
        const cat = await lima.expect(0, ["shell", name, "cat", "marker"]);
        assert.equal(cat.stdout.trim(), marker);
      },
    );

    await t.step(
      "kill -9 of QEMU: the instance is Stopped at once",
      async () => {
        Deno.kill(await lima.pid(name, "qemu.pid"), "SIGKILL");
        const took = await waitFor(
          "the status to become Stopped",
          5000,
          async () => (await lima.status(name)).status === "Stopped",
        );
        console.log(`  Stopped ${seconds(took)} after the kill`);
        const log = await Deno.readTextFile(`${dir}/ha.stdout.log`);
        assert.match(log, /"exiting":true/);
      },
    );

    await t.step(
      "kill -9 of the host agent while booting: Broken, then stop --force cleans up",
      async () => {
        const booting = lima.command(["start", name]).spawn();
        await waitFor("qemu.pid", 60_000, async () => {
          try {
            return await running(await lima.pid(name, "qemu.pid"));
          } catch {
            return false;
          }
        });
        const qemu = await lima.pid(name, "qemu.pid");
        Deno.kill(await lima.pid(name, "ha.pid"), "SIGKILL");
        const failed = await booting.output();
        assert.notEqual(failed.code, 0);
        assert.match(
          decoder.decode(failed.stderr),
          /host agent process has exited/,
        );
        await sleep(1000);
        const broken = await lima.status(name);
        assert.equal(broken.status, "Broken");
        const forced = await lima.expect(0, ["stop", "--force", name]);
        assert.match(
          forced.stderr,
          /Sending SIGKILL to the qemu driver process/,
        );
        await waitFor("QEMU to die", 5000, async () => !(await running(qemu)));
        assert.equal((await lima.status(name)).status, "Stopped");
        await checkDisk(`${dir}/disk`);
      },
    );

    await t.step(
      "start recovers with the data intact; delete removes it",
      async () => {
        await start(lima, [name]);
        const cat = await lima.expect(0, ["shell", name, "cat", "marker"]);
        assert.equal(cat.stdout.trim(), marker);
        await lima.expect(0, ["stop", name]);
        await lima.expect(0, ["delete", name]);
        await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
      },
    );
  });
});

Deno.test({
  name:
    "bad images, a busy SSH port and a silent guest fail with the cause and the log to read",
  ignore: skip,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    const write = async (name: string, template: unknown) => {
      const path = `${lima.home}/${name}.yaml`;
      await Deno.writeTextFile(path, stringify(template));
      return path;
    };
    const base = { mounts: [], containerd: { system: false, user: false } };

    await t.step("a missing image", async () => {
      const path = await write("missing", {
        ...base,
        images: [{
          location: `${lima.home}/nonexistent.qcow2`,
          arch: "x86_64",
        }],
      });
      const r = await lima.expect(1, ["start", "--tty=false", path]);
      assert.match(r.stderr, /failed to download the image/);
      assert.match(r.stderr, /nonexistent\.qcow2/);
      assert.equal((await lima.status("missing")).status, "Stopped");
      const files = await Array.fromAsync(Deno.readDir(lima.dir("missing")));
      assert.deepEqual(
        files.map((f) => f.name).filter((n) => ["image", "disk"].includes(n)),
        [],
      );
    });

    await t.step("a corrupted image", async () => {
      const bad = `${lima.home}/corrupt.qcow2`;
      // A qcow2 magic and version, then the header ends.
      await Deno.writeFile(
        bad,
        new Uint8Array([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3, 1, 2]),
      );
      const path = await write("corrupt", {
        ...base,
        images: [{ location: bad, arch: "x86_64" }],
      });
      const r = await lima.expect(1, ["start", "--tty=false", path]);
      assert.match(r.stderr, /failed to create the disk from the image/);
      const files = await Array.fromAsync(Deno.readDir(lima.dir("corrupt")));
      assert.deepEqual(
        files.map((f) => f.name).filter((n) => ["image", "disk"].includes(n)),
        [],
      );
    });

    await t.step("an SSH port already in use", async () => {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (listener.addr as Deno.NetAddr).port;
      try {
        await Deno.writeTextFile(
          `${lima.home}/busy.yaml`,
          testTemplate(image) + `ssh:\n  localPort: ${port}\n`,
        );
        const r = await lima.expect(1, [
          "start",
          "--tty=false",
          `${lima.home}/busy.yaml`,
        ]);
        assert.match(
          r.stderr,
          new RegExp(`127\\.0\\.0\\.1:${port} is already in use`),
        );
        assert.match(r.stderr, /ha\.stderr\.log/);
        assert.equal((await lima.status("busy")).status, "Stopped");
      } finally {
        listener.close();
      }
    });

    await t.step("a guest whose SSH never answers", async () => {
      const template = testTemplate(image).replace(
        "root=/dev/vda ro",
        "root=/dev/vdz rootwait ro",
      );
      await Deno.writeTextFile(`${lima.home}/silent.yaml`, template);
      const r = await lima.expect(1, [
        "start",
        "--tty=false",
        "--timeout",
        "20s",
        `${lima.home}/silent.yaml`,
      ]);
      assert.match(
        r.stderr,
        /did not receive an event with the `running` status/,
      );
      assert.match(r.stderr, /serial\.log/);
      assert.match(r.stderr, /ha\.stderr\.log/);
      await lima.expect(0, ["stop", "--force", "silent"]);
      assert.equal((await lima.status("silent")).status, "Stopped");
    });
  });
});
