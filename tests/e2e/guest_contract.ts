/**
 * What clients of `limactl` rely on in a booted guest, as assertions any VM test can run on its
 * instance: `shell`'s streams, exit codes, quoting and working directory, `copy`, additional
 * disks, `env`, `hostResolver.hosts`, the boot's marker and log, the instance's log files and
 * `ssh -F INSTDIR/ssh.config`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { decoder, type Lima } from "./harness.ts";

/** Random bytes; getRandomValues fills at most 64 KiB per call. */
export function randomBytes(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(data.subarray(at, at + 65536));
  }
  return data;
}

/** Stdout of `limactl shell NAME ARGS…` as bytes, with INPUT on its stdin. */
async function shellBytes(
  lima: Lima,
  name: string,
  args: string[],
  input?: Uint8Array,
): Promise<Uint8Array> {
  const child = lima.command(["shell", name, ...args], input ? "piped" : "null")
    .spawn();
  if (input) {
    const writer = child.stdin.getWriter();
    await writer.write(input);
    await writer.close();
  }
  const out = await child.output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  return out.stdout;
}

/** 10 MiB of random bytes go through `shell`'s stdin and come back on its stdout unchanged. */
export async function assertBinarySafeShell(
  lima: Lima,
  name: string,
): Promise<void> {
  const data = randomBytes(10 * 1024 * 1024);
  const guestSum = decoder.decode(
    await shellBytes(lima, name, [
      "sh",
      "-c",
      "cat > /tmp/random.bin && sha256sum < /tmp/random.bin",
    ], data),
  ).split(" ")[0];
  assert.equal(guestSum, createHash("sha256").update(data).digest("hex"));
  const back = await shellBytes(lima, name, ["cat", "/tmp/random.bin"]);
  assert.equal(back.length, data.length);
  assert.ok(back.every((b, i) => b === data[i]), "stdout differs");
}

/**
 * The remote exit code becomes `limactl shell`'s, and a connection that breaks (here: the
 * guest's sshd process of the session is killed) gives 255, as OpenSSH's `ssh` does.
 */
export async function assertExitCodes(lima: Lima, name: string): Promise<void> {
  const exit = await lima.run(["shell", name, "sh", "-c", "exit 42"]);
  assert.equal(exit.code, 42, exit.stderr);
  // Up from this shell to the session's sshd process (`sshd-session` since OpenSSH 9.8).
  const killSession = [
    "p=$$",
    'while [ "$p" -gt 1 ]; do case "$(ps -o comm= -p "$p")" in sshd*) break ;; esac; p=$(ps -o ppid= -p "$p" | tr -d " "); done',
    '[ "$p" -gt 1 ] && kill -9 "$p"',
  ].join("; ");
  const broken = await lima.run(["shell", name, "sh", "-c", killSession]);
  assert.equal(broken.code, 255, broken.stderr);
}

/** Arguments with spaces, quotes, `$` and shell syntax arrive as written; `NAME=value` sets. */
export async function assertQuoting(lima: Lima, name: string): Promise<void> {
  const words = ["a b", `'"`, "$HOME", "x;y", "*", "", "\ttab\nline"];
  const r = await lima.expect(0, ["shell", name, "printf", "[%s]", ...words]);
  assert.equal(r.stdout, words.map((w) => `[${w}]`).join(""));
  const env = await lima.expect(0, [
    "shell",
    name,
    "GREETING=hello $USER 'world'",
    "OTHER=2",
    "sh",
    "-c",
    'printf "%s|%s" "$GREETING" "$OTHER"',
  ]);
  assert.equal(env.stdout, "hello $USER 'world'|2");
}

/**
 * Where `shell` starts: `--workdir` (which must exist), else the host's working directory when
 * a mount shows it to the guest, else the host's home when it is mounted, else the guest
 * user's home. MOUNTED is a directory of the host inside a mount of the instance, OUTSIDE one
 * outside every mount, HOST_HOME the host home of `limactl` when it is mounted.
 */
export async function assertWorkingDirectory(
  lima: Lima,
  name: string,
  dirs: { mounted?: string; outside: string; hostHome?: string },
): Promise<void> {
  const pwd = async (args: string[], cwd: string) =>
    (await lima.expect(0, ["shell", ...args, name, "pwd"], undefined, { cwd }))
      .stdout.trim();
  assert.equal(await pwd(["--workdir", "/var/tmp"], dirs.outside), "/var/tmp");
  const missing = await lima.run(
    ["shell", "--workdir", "/nonexistent", name, "touch", "/tmp/ran"],
  );
  assert.equal(missing.code, 1, missing.stderr);
  assert.equal(
    await lima.sh(name, "test -e /tmp/ran || echo absent"),
    "absent",
  );
  if (dirs.mounted) {
    assert.equal(await pwd([], dirs.mounted), dirs.mounted);
  }
  const guestHome = await lima.sh(name, 'printf %s "$HOME"');
  assert.equal(await pwd([], dirs.outside), dirs.hostHome ?? guestHome);
}

/**
 * `copy` both ways byte for byte, `-r` into an existing directory, several sources into a
 * directory, and `INSTANCE:./relative` paths relative to the guest user's home. WORK is an
 * empty host directory.
 */
export async function assertCopy(
  lima: Lima,
  name: string,
  work: string,
): Promise<void> {
  const data = randomBytes(300_000);
  await Deno.mkdir(`${work}/tree/nested dir`, { recursive: true });
  await Deno.writeFile(`${work}/tree/nested dir/data.bin`, data);
  await Deno.writeTextFile(`${work}/tree/top.txt`, "top\n");
  await Deno.writeTextFile(`${work}/one.txt`, "one\n");
  await Deno.writeTextFile(`${work}/two.txt`, "two\n");
  await lima.sh(name, "rm -rf /tmp/into ~/rel && mkdir /tmp/into ~/rel");

  await lima.expect(0, ["copy", "-r", `${work}/tree`, `${name}:/tmp/into`]);
  assert.equal(
    await lima.sh(
      name,
      "cd /tmp/into && find . -type f | sort && sha256sum < 'tree/nested dir/data.bin'",
    ),
    [
      "./tree/nested dir/data.bin",
      "./tree/top.txt",
      `${createHash("sha256").update(data).digest("hex")}  -`,
    ].join("\n"),
  );

  await lima.expect(0, [
    "copy",
    `${work}/one.txt`,
    `${work}/two.txt`,
    `${name}:./rel`,
  ]);
  assert.equal(
    await lima.sh(name, "cat ~/rel/one.txt ~/rel/two.txt"),
    "one\ntwo",
  );

  await Deno.mkdir(`${work}/back`);
  await lima.expect(0, [
    "copy",
    `${name}:./rel/one.txt`,
    `${name}:/tmp/into/tree/nested dir/data.bin`,
    `${work}/back`,
  ]);
  assert.equal(await Deno.readTextFile(`${work}/back/one.txt`), "one\n");
  assert.deepEqual(await Deno.readFile(`${work}/back/data.bin`), data);

  await lima.expect(0, [
    "copy",
    "-r",
    `${name}:/tmp/into/tree`,
    `${work}/back`,
  ]);
  assert.deepEqual(
    await Deno.readFile(`${work}/back/tree/nested dir/data.bin`),
    data,
  );
}

/** The instance using additional disk DISK in LIMA_HOME (`disk list --json`), or "". */
export async function diskUser(lima: Lima, disk: string): Promise<string> {
  const r = await lima.expect(0, ["disk", "list", "--json", disk]);
  return JSON.parse(r.stdout).instance;
}

/**
 * Additional disk DISK is in use by the running instance NAME (`in_use_by` names its
 * directory), carries an ext4 file system labelled `lima-DISK` and is mounted at
 * `/mnt/lima-DISK`. Returns how many boots formatted it, from the boot log.
 */
export async function assertAdditionalDisk(
  lima: Lima,
  name: string,
  disk: string,
): Promise<number> {
  assert.equal(await diskUser(lima, disk), name);
  assert.equal(
    await Deno.realPath(
      await Deno.readLink(`${lima.home}/_disks/${disk}/in_use_by`),
    ),
    await Deno.realPath(lima.dir(name)),
  );
  const point = `/mnt/lima-${disk}`;
  assert.deepEqual(
    (await lima.sh(name, `findmnt -n -o FSTYPE,LABEL ${point}`)).split(/\s+/),
    ["ext4", `lima-${disk}`],
  );
  return Number(
    await lima.sh(
      name,
      `sudo grep -c 'Disk ${disk}: creating' /var/log/cloud-init-output.log || true`,
    ),
  );
}

/** `hostResolver.hosts` entries for `assertResolverHosts`: a name and an alias of it. */
export const RESOLVER_HOSTS = {
  "db.test": "10.20.30.40",
  "alias.test": "db.test",
};

/** The names of `RESOLVER_HOSTS` resolve in the guest, the alias to its target's address. */
export async function assertResolverHosts(
  lima: Lima,
  name: string,
): Promise<void> {
  for (const host of Object.keys(RESOLVER_HOSTS)) {
    assert.match(
      await lima.sh(name, `getent ahostsv4 ${host}`),
      /^10\.20\.30\.40\s/,
      host,
    );
  }
}

/** The boot scripts finished (`/run/lima-boot-done`) and logged to cloud-init's output log. */
export async function assertBootDone(lima: Lima, name: string): Promise<void> {
  assert.match(
    await lima.sh(name, "cat /run/lima-boot-done"),
    /^\S+$/,
    "/run/lima-boot-done holds the boot's instance id",
  );
  assert.match(
    await lima.sh(name, "sudo cat /var/log/cloud-init-output.log"),
    /^LIMA .*\| Executing .*05-lima-disks\.sh$/m,
  );
}

/**
 * The instance directory of an x86_64 guest has its consoles' `serial*.log` files, the serial
 * port's with the guest kernel's lines, and `ha.stderr.log` as JSON lines in logrus' fields.
 */
export async function assertInstanceLogs(
  lima: Lima,
  name: string,
): Promise<void> {
  const dir = lima.dir(name);
  const serial = (await Array.fromAsync(Deno.readDir(dir)))
    .map((e) => e.name).filter((n) => /^serial.*\.log$/.test(n)).sort();
  // The serial port and the virtio console; x86_64 has no PCI serial port (`serialp.log`).
  assert.deepEqual(serial, ["serial.log", "serialv.log"]);
  assert.match(await Deno.readTextFile(`${dir}/serial.log`), /Linux version /);
  const lines = (await Deno.readTextFile(`${dir}/ha.stderr.log`))
    .split("\n").filter(Boolean);
  assert.ok(lines.length > 0, "ha.stderr.log is empty");
  for (const line of lines) {
    const record = JSON.parse(line);
    assert.equal(typeof record.level, "string", line);
    assert.equal(typeof record.msg, "string", line);
    assert.ok(!Number.isNaN(Date.parse(record.time)), line);
  }
}

/** OpenSSH's `ssh -F INSTDIR/ssh.config lima-NAME` logs in and runs a command. */
export async function assertOpenSSH(lima: Lima, name: string): Promise<void> {
  const out = await new Deno.Command("ssh", {
    args: ["-F", `${lima.dir(name)}/ssh.config`, `lima-${name}`, "hostname"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  assert.equal(decoder.decode(out.stdout), `lima-${name}\n`);
}
