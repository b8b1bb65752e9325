/**
 * `limactl shell`, `copy`, `show-ssh` and the `lima` wrapper as a user runs them. A
 * "running" instance is faked: live PIDs in `ha.pid`/`qemu.pid`, a host agent socket that
 * answers `/v1/info`, and a real sshd on loopback standing in for the guest.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exists } from "../../core/exists.ts";
import { lookPath } from "../../core/look_path.ts";
import { freeLoopbackPort } from "../fixtures/free_port.ts";
import { haveSSHD } from "../fixtures/sshd.ts";
import { runningFake } from "./running_fake.ts";
import {
  assertDebug,
  assertFatal,
  assertWarning,
  createDummyInstance,
  limactl,
  limactlExpect,
} from "./helpers.ts";

const ignore = !haveSSHD();
const WRAPPER = fileURLToPath(
  new URL("../../cli/wrappers/lima", import.meta.url),
);
const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

async function tempHome(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "lima-cli-ssh-" });
}

Deno.test("shell names what is missing or stopped", async () => {
  const limaHome = await tempHome();
  try {
    let r = await limactlExpect(1, ["shell"], { limaHome });
    assertFatal(r.stderr, "requires instance name as first argument");
    r = await limactlExpect(1, ["shell", "nosuch", "uname"], { limaHome });
    assertFatal(
      r.stderr,
      "instance `nosuch` does not exist, run `limactl create nosuch` to create a new instance",
    );
    r = await limactlExpect(1, ["shell", "--instance", "nosuch", "uname"], {
      limaHome,
    });
    assertFatal(r.stderr, "instance `nosuch` does not exist…");
    r = await limactlExpect(1, ["shell", "--foo", "nosuch"], { limaHome });
    assertFatal(r.stderr, "unknown flag: --foo");
    await createDummyInstance("stopped", { limaHome });
    for (
      const args of [["--tty=false", "shell", "stopped"], [
        "shell",
        "--tty=true",
        "stopped",
        "true",
      ]]
    ) {
      r = await limactlExpect(1, args, { limaHome, stdin: "y\n" });
      assertFatal(
        r.stderr,
        "instance `stopped` is stopped, run `limactl start stopped` to start the instance",
      );
    }
    r = await limactlExpect(1, [
      "copy",
      "stopped:/etc/hostname",
      join(limaHome, "x"),
    ], { limaHome });
    assertFatal(r.stderr, "instance `stopped` is stopped…");
    r = await limactlExpect(1, ["copy", "a:b:c", "d"], { limaHome });
    assertFatal(r.stderr, 'path "a:b:c" contains multiple colons');
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("the lima wrapper forwards to limactl shell", async () => {
  const limaHome = await tempHome();
  try {
    const limactlScript = join(limaHome, "limactl");
    await Deno.writeTextFile(
      limactlScript,
      `#!/bin/sh\nexec "${Deno.execPath()}" run -A "${MAIN}" "$@"\n`,
      { mode: 0o755 },
    );
    const lima = async (args: string[], env: Record<string, string> = {}) => {
      const out = await new Deno.Command(WRAPPER, {
        args,
        env: { LIMA_HOME: limaHome, LIMACTL: limactlScript, ...env },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const d = new TextDecoder();
      return {
        code: out.code,
        stdout: d.decode(out.stdout),
        stderr: d.decode(out.stderr),
      };
    };
    let r = await lima(["--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: lima \[COMMAND\.\.\.\]/);
    r = await lima(["--version"]);
    assert.match(r.stdout, /^limactl version /);
    r = await lima(["--start=false", "uname"]);
    assert.equal(r.code, 1);
    assertFatal(r.stderr, "instance `default` does not exist…");
    r = await lima(["uname"], { LIMA_INSTANCE: "other" });
    assertFatal(r.stderr, "instance `other` does not exist…");
    r = await lima(["--unknown-flag", "uname"]);
    assert.equal(r.code, 1);
    assertFatal(r.stderr, "unknown flag: --unknown-flag");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test({
  name: "shell runs commands with exit codes, stdin, stderr and quoting intact",
  ignore,
}, async () => {
  await using fake = await runningFake();
  const { limaHome } = fake;
  let r = await limactlExpect(0, [
    "shell",
    "vm",
    "--",
    "printf",
    "[%s]",
    "a b",
    `'"`,
    "\n\techo foo\n",
  ], { limaHome });
  assert.equal(r.stdout, `[a b]['"][\n\techo foo\n]`);
  r = await limactl([
    "shell",
    "vm",
    "--",
    "sh",
    "-c",
    "echo out; echo err >&2; exit 7",
  ], { limaHome });
  assert.deepEqual([r.code, r.stdout], [7, "out\n"]);
  assert.match(r.stderr, /^err$/m);
  assert.ok(!r.stderr.includes("fatal"), r.stderr);
  const input = "line 1\nline 2 with 'quotes'\n".repeat(10_000);
  r = await limactlExpect(0, ["shell", "vm", "cat"], {
    limaHome,
    stdin: input,
  });
  assert.equal(r.stdout, input);
  r = await limactlExpect(0, ["shell", "vm", "FOO=a b", "printenv", "FOO"], {
    limaHome,
  });
  assert.equal(r.stdout, "a b\n");
  const shell = join(fake.work, "my shell");
  await Deno.writeTextFile(shell, `#!/bin/sh\nprintf '%s|' "$@"\n`, {
    mode: 0o755,
  });
  r = await limactlExpect(
    0,
    ["shell", "--shell", shell, "vm", "echo", "$HOME"],
    { limaHome },
  );
  assert.equal(r.stdout, "-l|-c|echo '$HOME'|");
});

Deno.test({ name: "shell maps the working directory", ignore }, async () => {
  await using fake = await runningFake();
  const { limaHome, work } = fake;
  const sub = join(work, "sub");
  await Deno.mkdir(sub);
  let r = await limactlExpect(0, ["shell", "vm", "pwd"], {
    limaHome,
    cwd: sub,
  });
  assert.equal(r.stdout, `${sub}\n`);
  r = await limactlExpect(0, ["shell", "--workdir", "/", "vm", "pwd"], {
    limaHome,
    cwd: sub,
  });
  assert.equal(r.stdout, "/\n");
  r = await limactl(
    ["shell", "--workdir", join(work, "missing"), "vm", "pwd"],
    { limaHome },
  );
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  // Outside the mounts the shell starts in the guest user's home.
  const home =
    (await limactlExpect(0, ["shell", "vm", "printenv", "HOME"], { limaHome }))
      .stdout;
  r = await limactlExpect(0, ["shell", "vm", "pwd"], {
    limaHome,
    cwd: dirname(work),
  });
  assert.equal(r.stdout, home);
  r = await limactl(["shell", "vm", "start", "x"], { limaHome });
  assertWarning(r.stderr, "Perhaps you meant `limactl start x`?");
});

Deno.test({
  name:
    "shell --preserve-env dies on an invalid LIMA_SHELLENV_* pattern before running anything",
  ignore,
}, async () => {
  await using fake = await runningFake();
  const { limaHome, work } = fake;
  const marker = join(work, "ran");
  const shell = (env: Record<string, string>) =>
    limactl(["shell", "--preserve-env", "vm", "touch", marker], {
      limaHome,
      env,
    });
  for (
    const [env, message] of [
      [
        { LIMA_SHELLENV_BLOCK: "FOO-BAR" },
        "Invalid LIMA_SHELLENV_BLOCK pattern: pattern `FOO-BAR` contains invalid character `-` at position 3",
      ],
      [
        { LIMA_SHELLENV_BLOCK: " +FOO" },
        "Invalid LIMA_SHELLENV_BLOCK pattern: pattern `+FOO` contains invalid character `+` at position 0",
      ],
      [
        { LIMA_SHELLENV_ALLOW: "HOME,A.B" },
        "Invalid LIMA_SHELLENV_ALLOW pattern: pattern `A.B` contains invalid character `.` at position 1",
      ],
    ] as const
  ) {
    const r = await shell(env);
    assert.equal(r.code, 1, r.stderr);
    assertFatal(r.stderr, message);
    assert.equal(await Deno.stat(marker).catch(() => undefined), undefined);
  }
  const r = await shell({
    LIMA_SHELLENV_BLOCK: "+FOO",
    LIMA_SHELLENV_ALLOW: "HOME",
  });
  assert.equal(r.code, 0, r.stderr);
  await Deno.stat(marker);
});

Deno.test({
  name: "shell passes dash arguments to the remote command without --",
  ignore,
}, async () => {
  await using fake = await runningFake();
  const r = await limactlExpect(0, [
    "shell",
    "vm",
    "printf",
    "%s|",
    "-v",
    "--debug=true",
    "-h",
  ], { limaHome: fake.limaHome });
  assert.equal(r.stdout, "-v|--debug=true|-h|");
});

Deno.test({
  name:
    "copy --backend scp runs the host's scp both ways and recursively, byte for byte, and leaves its ControlMaster to the next copy",
  ignore: ignore || !lookPath("scp"),
}, async () => {
  await using fake = await runningFake();
  const { limaHome, work } = fake;
  const data = new Uint8Array(200_000).map((_, i) => (i * 31 + 7) & 255);
  const src = join(work, "src dir");
  await Deno.mkdir(join(src, "nested"), { recursive: true });
  // scp decodes `%41` and `+` in an scp:// address; the name must arrive as written.
  const odd = "file with spaces+%41.bin";
  await Deno.writeFile(join(src, "nested", odd), data);
  await Deno.writeTextFile(join(src, "top.txt"), "top\n");
  const guestDir = join(work, "in guest");
  await Deno.mkdir(guestDir);
  const copy = (code: number, ...args: string[]) =>
    limactlExpect(code, ["copy", "--backend=scp", ...args], { limaHome });
  const master = join(limaHome, "vm", "ssh.sock");
  // A verbose copy prints scp's and ssh's debugging, and returns although no master ran.
  const verbose = await copy(0, "-v", join(src, "top.txt"), `vm:${guestDir}`);
  assert.match(verbose.stderr, /debug1: /);
  assert.equal(await Deno.readTextFile(join(guestDir, "top.txt")), "top\n");
  assert.equal(await exists(master), false);
  await copy(0, "-r", src, `vm:${guestDir}`);
  assert.deepEqual(
    await Deno.readFile(join(guestDir, "src dir", "nested", odd)),
    data,
  );
  assert.equal(await exists(master), true);
  await limactlExpect(0, [
    "cp",
    "--backend=scp",
    `vm:${join(guestDir, "src dir", "nested", odd)}`,
    join(work, "back.bin"),
  ], { limaHome });
  assert.deepEqual(await Deno.readFile(join(work, "back.bin")), data);
  await copy(
    0,
    "-r",
    `vm:${join(guestDir, "src dir")}`,
    `vm:${join(work, "guest copy")}`,
  );
  assert.deepEqual(
    await Deno.readFile(join(work, "guest copy", "nested", odd)),
    data,
  );
  const fail = await copy(1, `vm:${src}`, join(work, "x"));
  assert.match(fail.stderr, /not a regular file/);
  assertFatal(fail.stderr, "scp exited with status 1");
});

Deno.test({
  name:
    "copy --backend scp between two instances goes through the host, with neither instance's master",
  ignore: ignore || !lookPath("scp"),
}, async () => {
  await using fake = await runningFake({ names: ["vm", "vm2"] });
  const { limaHome, work } = fake;
  const data = new Uint8Array(100_000).map((_, i) => (i * 7) & 255);
  await Deno.writeFile(join(work, "a.bin"), data);
  await limactlExpect(0, [
    "copy",
    "--backend=scp",
    `vm:${join(work, "a.bin")}`,
    `vm2:${join(work, "b.bin")}`,
  ], { limaHome });
  assert.deepEqual(await Deno.readFile(join(work, "b.bin")), data);
  for (const name of ["vm", "vm2"]) {
    assert.equal(await exists(join(limaHome, name, "ssh.sock")), false);
  }
});

Deno.test({
  name:
    "copy --backend scp on a host without scp copies over SFTP, agreeing on ChaCha20-Poly1305 with the guest",
  ignore,
}, async () => {
  await using fake = await runningFake();
  const { limaHome, work } = fake;
  const src = join(work, "d");
  await Deno.mkdir(join(src, "nested"), { recursive: true });
  await Deno.writeTextFile(join(src, "nested", "f.txt"), "f\n");
  const copy = (code: number, ...args: string[]) =>
    limactlExpect(code, ["--debug", "copy", "--backend=scp", ...args], {
      limaHome,
      env: { PATH: "/nonexistent" },
    });
  const r = await copy(0, "-r", src, `vm:${join(work, "g")}`);
  assertDebug(r.stderr, "scp not found on host, copying over SFTP");
  assertDebug(
    r.stderr,
    "SSH to instance `vm`: cipher chacha20-poly1305@openssh.com",
  );
  assert.match(r.stderr, /f\.txt -> /);
  assert.equal(
    await Deno.readTextFile(join(work, "g", "nested", "f.txt")),
    "f\n",
  );
  const fail = await copy(1, `vm:${src}`, join(work, "x"));
  assertFatal(
    fail.stderr,
    `vm:${src} is a directory (use -r to copy directories)`,
  );
});

Deno.test({
  name:
    "copy --backend rsync copies with the host's rsync, keeping times, as scp -r places directories",
  ignore: ignore || !lookPath("rsync"),
}, async () => {
  await using fake = await runningFake();
  const { limaHome, work } = fake;
  const src = join(work, "src dir");
  await Deno.mkdir(join(src, "nested"), { recursive: true });
  const file = join(src, "nested", "file with spaces.txt");
  await Deno.writeTextFile(file, "hello\n");
  // rsync -a keeps modification times; the scp backend does not.
  const mtime = new Date("2001-02-03T04:05:06Z");
  await Deno.utime(file, mtime, mtime);
  const guestDir = join(work, "in guest");
  await Deno.mkdir(guestDir);
  const copy = (...args: string[]) =>
    limactlExpect(0, ["copy", "--backend=rsync", ...args], { limaHome });
  await copy("-r", src, `vm:${guestDir}/`);
  const copied = join(guestDir, "src dir", "nested", "file with spaces.txt");
  assert.equal(await Deno.readTextFile(copied), "hello\n");
  assert.equal((await Deno.stat(copied)).mtime?.getTime(), mtime.getTime());
  await copy(`vm:${copied}`, join(work, "back.txt"));
  assert.equal(await Deno.readTextFile(join(work, "back.txt")), "hello\n");
  const both = await limactlExpect(1, [
    "copy",
    "--backend=rsync",
    `vm:${copied}`,
    `vm:${join(work, "x")}`,
  ], { limaHome });
  assertFatal(both.stderr, "rsync cannot copy between two guest paths…");
  const noRsync = await limactlExpect(
    1,
    ["copy", "--backend=rsync", file, `vm:${guestDir}`],
    { limaHome, env: { PATH: "/nonexistent" } },
  );
  assertFatal(noRsync.stderr, "rsync not found on host…");
});

Deno.test({
  name:
    "copy --backend auto takes rsync when host and guest have it, and scp when either lacks it",
  ignore: ignore || !lookPath("rsync"),
}, async () => {
  const mtime = new Date("2001-02-03T04:05:06Z");
  /** Copies a file into the guest; true when its time was kept, as rsync -a does and scp not. */
  const copyKeepsTime = async (
    limaHome: string,
    work: string,
    expected: string,
    env?: Record<string, string>,
  ) => {
    const file = join(work, "timed.txt");
    const copied = join(work, "copied.txt");
    await Deno.remove(copied).catch(() => {});
    await Deno.writeTextFile(file, "timed\n");
    await Deno.utime(file, mtime, mtime);
    const r = await limactlExpect(
      0,
      ["--debug", "copy", file, `vm:${copied}`],
      { limaHome, env },
    );
    assertDebug(r.stderr, expected);
    assert.equal(await Deno.readTextFile(copied), "timed\n");
    return (await Deno.stat(copied)).mtime?.getTime() === mtime.getTime();
  };
  {
    await using fake = await runningFake();
    assert.equal(
      await copyKeepsTime(fake.limaHome, fake.work, "using copy tool `rsync`"),
      true,
    );
    assert.equal(
      await copyKeepsTime(
        fake.limaHome,
        fake.work,
        "rsync not found on host, falling back to scp",
        { PATH: "/nonexistent" },
      ),
      false,
    );
  }
  const emptyBin = await Deno.makeTempDir({ prefix: "lima-guest-path-" });
  try {
    await using fake = await runningFake({ guestPath: emptyBin });
    assert.equal(
      await copyKeepsTime(
        fake.limaHome,
        fake.work,
        "rsync not available on guest `vm`, falling back to scp",
      ),
      false,
    );
  } finally {
    await Deno.remove(emptyBin, { recursive: true });
  }
});

Deno.test("copy lists its backends in its help and refuses an unknown one as Lima does", async () => {
  const limaHome = await tempHome();
  try {
    const help = await limactlExpect(0, ["copy", "--help"], { limaHome });
    assert.match(
      help.stdout,
      /Backends:\n {2}auto {3}- Automatically selects the best available backend \(rsync preferred, falls back to scp\)\n/,
    );
    assert.match(help.stdout, /Not to be confused with 'limactl clone'\./);
    assert.match(
      help.stdout,
      /--backend string +Copy backend \(scp\|rsync\|auto\) \(default "auto"\)/,
    );
    const bad = await limactlExpect(1, [
      "copy",
      "--backend=ftp",
      "a",
      "vm:b",
    ], { limaHome });
    assertFatal(
      bad.stderr,
      "invalid backend `ftp`, must be one of: scp, rsync, auto",
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test(
  { name: "show-ssh prints the options in each format", ignore },
  async () => {
    await using fake = await runningFake();
    const { limaHome, guest } = fake;
    const instDir = join(limaHome, "vm");
    const opts = await limactlExpect(0, [
      "show-ssh",
      "--format",
      "options",
      "vm",
    ], { limaHome });
    const lines = opts.stdout.trimEnd().split("\n");
    assert.equal(
      lines[0],
      `IdentityFile="${join(limaHome, "_config", "user")}"`,
    );
    assert.ok(lines.includes(`User=${guest.sshd.user}`));
    assert.ok(lines.includes(`ControlPath="${join(instDir, "ssh.sock")}"`));
    assert.deepEqual(lines.slice(-2), [
      "Hostname=127.0.0.1",
      `Port=${guest.sshd.port}`,
    ]);
    assertWarning(
      opts.stderr,
      `\`limactl show-ssh\` is deprecated. Instead, use \`ssh -F ${
        join(instDir, "ssh.config")
      } lima-vm\`.`,
    );
    const cmd = await limactlExpect(0, ["show-ssh", "vm"], { limaHome });
    assert.ok(
      cmd.stdout.startsWith(
        `ssh -o 'IdentityFile="${
          join(limaHome, "_config", "user")
        }"' -o StrictHostKeyChecking=no`,
      ),
    );
    assert.ok(cmd.stdout.endsWith(` -o Port=${guest.sshd.port} lima-vm\n`));
    const args = await limactlExpect(0, ["show-ssh", "--format=args", "vm"], {
      limaHome,
    });
    assert.equal(`ssh ${args.stdout.trimEnd()} lima-vm\n`, cmd.stdout);
    const config = await limactlExpect(0, [
      "show-ssh",
      "--format",
      "config",
      "vm",
    ], { limaHome });
    assert.ok(config.stdout.startsWith("Host lima-vm\n  IdentityFile "));
    // The config block is what OpenSSH needs to log in.
    const file = join(limaHome, "show-ssh.config");
    await Deno.writeTextFile(
      file,
      config.stdout.replace(/^ {2}Control.*\n/gm, ""),
    );
    const ssh = await new Deno.Command("ssh", {
      args: ["-F", file, "lima-vm", "echo", "ok"],
      stdin: "null",
    }).output();
    assert.equal(new TextDecoder().decode(ssh.stdout), "ok\n");
    const bad = await limactlExpect(1, ["show-ssh", "--format", "json", "vm"], {
      limaHome,
    });
    assertFatal(bad.stderr, 'unknown format "json"…');
  },
);

Deno.test("tunnel refuses a bad type or port and an instance that is not running", async () => {
  const limaHome = await tempHome();
  try {
    let r = await limactlExpect(1, ["tunnel", "--type", "l2tp", "x"], {
      limaHome,
    });
    assertWarning(r.stderr, "`limactl tunnel` is experimental");
    assertFatal(r.stderr, "unknown tunnel type: `l2tp`…");
    r = await limactlExpect(1, ["tunnel", "--socks-port", "80", "x"], {
      limaHome,
    });
    assertFatal(r.stderr, "invalid socks port 80…");
    r = await limactlExpect(1, ["tunnel", "nosuch"], { limaHome });
    assertFatal(r.stderr, "instance `nosuch` does not exist…");
    await createDummyInstance("stopped", { limaHome });
    r = await limactlExpect(1, ["tunnel", "stopped"], { limaHome });
    assertFatal(
      r.stderr,
      "instance `stopped` is stopped, run `limactl start stopped` to start the instance",
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test({
  name: "tunnel leaves a SOCKS proxy into the guest's network running",
  ignore,
}, async () => {
  await using fake = await runningFake();
  const token = crypto.randomUUID();
  await using web = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(token),
  );
  const socksPort = freeLoopbackPort();
  try {
    const r = await limactlExpect(0, [
      "tunnel",
      "--socks-port",
      String(socksPort),
      "vm",
    ], { limaHome: fake.limaHome });
    assert.equal(
      r.stdout,
      `Set \`ALL_PROXY=socks5h://127.0.0.1:${socksPort}\`, etc.\n` +
        "The instance can be connected from the host as <http://lima-vm.internal> via a web browser.\n",
    );
    // The command has returned; the proxy lives on in the background.
    const curl = await new Deno.Command("curl", {
      args: [
        "-sS",
        "--socks5-hostname",
        `127.0.0.1:${socksPort}`,
        `http://127.0.0.1:${web.addr.port}/`,
      ],
      stdin: "null",
    }).output();
    assert.equal(
      new TextDecoder().decode(curl.stdout),
      token,
      new TextDecoder().decode(curl.stderr),
    );
  } finally {
    await new Deno.Command("pkill", {
      args: ["-f", "--", `-D 127.0.0.1:${socksPort} `],
    }).output();
  }
});
