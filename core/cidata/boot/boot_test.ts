/**
 * The guest scripts: every one must parse under the shell its first line names, and boot.sh,
 * the utilities and the scripts that only edit files are run for real. Those runs need root and
 * a private mount namespace (`unshare`) so that /run, /etc/environment and /etc/hosts of the
 * host stay untouched.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { IMAGES, seedOptions } from "../_test_config.ts";
import { canIsolate, isolated, writeSeed } from "../_isolated.ts";
import { seedFiles } from "../seed.ts";
import { BOOT_FILES } from "./mod.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function run(cmd: string, args: string[], input?: string) {
  const child = new Deno.Command(cmd, {
    args,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

if (!canIsolate) {
  console.error(
    "boot_test: runs of boot scripts skipped (they need root and unshare)",
  );
}

Deno.test("every boot script starts with #! and parses under its shell and under bash", async () => {
  assert.ok(BOOT_FILES.length > 15);
  for (const file of BOOT_FILES) {
    const shebang = file.content.split("\n")[0];
    assert.match(
      shebang,
      /^#!\/bin\/(sh|bash)$/,
      `${file.path} starts with a shell line`,
    );
    for (const shell of new Set([shebang.slice(2), "bash"])) {
      const result = await run(shell, ["-n"], file.content);
      assert.equal(
        result.code,
        0,
        `${shell} -n ${file.path}: ${result.stderr}`,
      );
    }
  }
});

Deno.test("the seed carries the boot scripts unchanged and executable", () => {
  const files = seedFiles(seedOptions(IMAGES));
  for (const boot of BOOT_FILES) {
    const file = files.find((f) => f.path === boot.path);
    assert.ok(file, `${boot.path} is in the seed`);
    assert.equal(decode(file.data), boot.content);
    assert.equal(file.mode, 0o755);
  }
});

async function utility(name: string, ...args: string[]) {
  const file = BOOT_FILES.find((f) => f.path === `util/${name}`)!;
  return await run("sh", ["-c", file.content, name, ...args]);
}

Deno.test("escape_fstab.sh and unescape_fstab.sh round-trip blanks and backslashes", async () => {
  const path = "/mnt/My Files\\x\tz";
  const escaped = await utility("escape_fstab.sh", path);
  assert.equal(escaped.stdout, "/mnt/My\\040Files\\134x\\011z\n");
  const back = await utility("unescape_fstab.sh", escaped.stdout.trimEnd());
  assert.equal(back.stdout, path + "\n");
  assert.equal(
    (await utility("unescape_fstab.sh", "/plain/path")).stdout,
    "/plain/path\n",
  );
});

Deno.test("compare_version.sh compares dotted versions numerically", async () => {
  const holds = async (a: string, op: string, b: string) =>
    (await utility("compare_version.sh", a, op, b)).code === 0;
  assert.equal(await holds("5.10.0", "lt", "5.13"), true);
  assert.equal(await holds("6.1", "lt", "5.13"), false);
  assert.equal(await holds("5.13", "ge", "5.13.0"), true);
  assert.equal(await holds("10.0", "gt", "9.9"), true);
  assert.equal(await holds("1.2", "eq", "1.3"), false);
  assert.equal((await utility("compare_version.sh", "1", "??", "2")).code, 2);
});

Deno.test("replace_block.sh swaps the marked block for new text and rewrites only on change", async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-boot-" });
  try {
    const file = join(dir, ".bashrc");
    await Deno.writeTextFile(
      file,
      "alias ll='ls -l'\n# Lima BEGIN\nOLD\n# Lima END\n  indented \\t line\nlast",
    );
    const lib = BOOT_FILES.find((f) => f.path === "util/replace_block.sh")!;
    const replace = async () =>
      (await run("sh", [
        "-c",
        `${lib.content}\nreplace_block "$1" "# Lima BEGIN" "# Lima END" "$2"; echo "$CHANGED"`,
        "sh",
        file,
        "# Lima BEGIN\nNEW\n# Lima END\n",
      ])).stdout;
    assert.equal(await replace(), "true\n");
    const want =
      "alias ll='ls -l'\n  indented \\t line\nlast\n# Lima BEGIN\nNEW\n# Lima END\n";
    assert.equal(await Deno.readTextFile(file), want);
    const { mtime } = await Deno.stat(file);
    assert.equal(await replace(), "false\n");
    assert.deepEqual((await Deno.stat(file)).mtime, mtime);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs SCRIPT in a mount namespace with a private /run; prints the ready files afterwards. */
async function inGuest(
  seedDir: string,
  script: string,
  binds: Record<string, string> = {},
) {
  const mounts = Object.entries(binds).map(([target, source]) =>
    `mount --bind '${source}' '${target}'`
  );
  return await isolated([
    "set -e",
    "mount -t tmpfs tmpfs /run",
    ...mounts,
    "set +e",
    `LIMA_CIDATA_MNT='${seedDir}' ${script}`,
    'echo "exit=$?"',
    'for f in /run/lima-*; do [ -f "$f" ] && echo "$f: $(cat "$f")"; done',
    "true",
  ]);
}

Deno.test({
  name:
    "boot.sh loads the environment, runs scripts in order, provisions, and marks the boot done",
  ignore: !canIsolate,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-boot-" });
  try {
    const seedDir = join(dir, "seed");
    const target = join(dir, "target");
    const files = seedFiles(seedOptions(
      IMAGES + [
        "plain: true",
        "param: {GREETING: 'hello world'}",
        "env: {EDITOR: vim}",
        "provision:",
        "- mode: system",
        "  script: |",
        "    #!/bin/sh",
        '    echo "system: $PARAM_GREETING $EDITOR $LIMA_CIDATA_USER $QUOTED"',
        `- {mode: data, path: ${target}/new/motd, content: welcome, permissions: '600'}`,
        `- {mode: data, path: ${target}/kept, content: replaced, overwrite: false}`,
        "- {mode: system, script: 'exit 3'}",
      ].join("\n") + "\n",
      { instanceID: "iid-42" },
    ));
    const etc = files.find((f) => f.path === "etc_environment")!;
    etc.data = new TextEncoder().encode(
      decode(etc.data) + '  export QUOTED="a b" # comment\n',
    );
    const text = (s: string) => new TextEncoder().encode(s);
    files.push(
      {
        path: "boot.essential.Linux/01-first.sh",
        data: text('#!/bin/sh\necho "first $PARAM_GREETING"\n'),
        mode: 0o755,
      },
      {
        path: "boot.essential.Linux/02-fails.sh",
        data: text("#!/bin/sh\nexit 1\n"),
        mode: 0o755,
      },
      {
        path: "boot.essential.Linux/03-third.sh",
        data: text("#!/bin/sh\necho third\n"),
        mode: 0o755,
      },
    );
    await writeSeed(seedDir, files);
    await Deno.mkdir(target);
    await Deno.writeTextFile(join(target, "kept"), "original");

    const result = await inGuest(seedDir, `'${seedDir}/boot.sh'`);
    const out = result.stdout;
    const order = [
      "first hello world",
      "02-fails.sh",
      "third",
      "Plain mode",
      "system: hello world vim alice a b",
    ]
      .map((s) => out.indexOf(s));
    assert.ok(
      order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])),
      out + result.stderr,
    );
    assert.match(
      out,
      /^LIMA \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\| WARNING: Failed to execute .*02-fails\.sh$/m,
    );
    assert.match(
      out,
      /WARNING: Failed to execute .*provision\.system\/00000003/,
    );
    assert.match(
      out,
      /^exit=1$/m,
      "a failure makes boot.sh exit 1 after running everything",
    );
    assert.match(out, /^\/run\/lima-boot-done: iid-42$/m);

    assert.equal(await Deno.readTextFile(join(target, "new/motd")), "welcome");
    assert.equal(
      (await Deno.stat(join(target, "new/motd"))).mode! & 0o777,
      0o600,
    );
    assert.equal(
      await Deno.readTextFile(join(target, "kept")),
      "original",
      "overwrite: false keeps the file",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "boot.sh does not mark the boot done when a script asks for a reboot",
  ignore: !canIsolate,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-boot-" });
  try {
    const files = seedFiles(
      seedOptions(IMAGES + "plain: true\n", { instanceID: "iid-7" }),
    );
    files.push({
      path: "boot.essential.Linux/00-reboot.sh",
      data: new TextEncoder().encode(
        '#!/bin/sh\ntouch "$LIMA_REBOOT_REQUIRED"\n',
      ),
      mode: 0o755,
    });
    await writeSeed(dir, files);
    const result = await inGuest(dir, `'${dir}/boot.sh'`);
    assert.match(result.stdout, /^exit=0$/m, result.stderr);
    assert.doesNotMatch(result.stdout, /lima-boot-done/);
    assert.match(result.stdout, /^\/run\/lima-reboot-required: $/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "07-etc-environment.sh replaces the LIMA block of /etc/environment, ends the user's sessions, and signals SSH readiness",
  ignore: !canIsolate,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-boot-" });
  try {
    const files = seedFiles(
      seedOptions(IMAGES + "env: {EDITOR: vim, PAGER: less}\n", {
        instanceID: "iid-9",
      }),
    );
    await writeSeed(join(dir, "seed"), files);
    const environment = join(dir, "environment");
    await Deno.writeTextFile(
      environment,
      'PATH="/usr/bin"\n#LIMA-START\nOLD=1\n#LIMA-END\nLANG=C.UTF-8\n',
    );
    const script = join(dir, "seed/boot.Linux/07-etc-environment.sh");
    const log = join(dir, "log");
    const bin = await fakeCommands(dir, log, { loginctl: "" });
    const env =
      `PATH='${bin}':$PATH LIMA_CIDATA_USER=nobody-here LIMA_CIDATA_UID=4242 LIMA_CIDATA_IID=iid-9`;
    const result = await inGuest(join(dir, "seed"), `${env} '${script}'`, {
      "/etc/environment": environment,
    });
    assert.match(result.stdout, /^exit=0$/m, result.stderr);
    assert.match(result.stdout, /^\/run\/lima-ssh-ready: iid-9$/m);
    assert.equal(
      await Deno.readTextFile(environment),
      'PATH="/usr/bin"\nLANG=C.UTF-8\n#LIMA-START\nEDITOR=vim\nPAGER=less\n#LIMA-END\n',
    );
    await assert.rejects(
      Deno.stat(log),
      "no session to end before the user has a runtime directory",
    );

    await Deno.writeTextFile(environment, "#LIMA-START\nOLD=1\n#LIMA-END\n");
    const again = await inGuest(
      join(dir, "seed"),
      `${env} sh -c "mkdir -p /run/user/4242 && exec '${script}'"`,
      { "/etc/environment": environment },
    );
    assert.match(again.stdout, /^exit=0$/m, again.stderr);
    assert.equal(
      await Deno.readTextFile(log),
      "loginctl terminate-user nobody-here\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "06-etc-hosts.sh points host.lima.internal at the gateway, once",
  ignore: !canIsolate,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-boot-" });
  try {
    await writeSeed(join(dir, "seed"), seedFiles(seedOptions(IMAGES)));
    const hosts = join(dir, "hosts");
    await Deno.writeTextFile(
      hosts,
      "127.0.0.1 localhost\n10.0.0.1 host.lima.internal\n10.0.0.2 other.host.lima.internal.example\n",
    );
    const script = `LIMA_CIDATA_SLIRP_GATEWAY=192.168.5.2 '${
      join(dir, "seed/boot.Linux/06-etc-hosts.sh")
    }'`;
    for (let i = 0; i < 2; i++) {
      const result = await inGuest(join(dir, "seed"), script, {
        "/etc/hosts": hosts,
      });
      assert.match(result.stdout, /^exit=0$/m, result.stderr);
    }
    assert.equal(
      await Deno.readTextFile(hosts),
      "127.0.0.1 localhost\n10.0.0.2 other.host.lima.internal.example\n192.168.5.2\thost.lima.internal\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A directory of fake commands: each appends its name and arguments to LOG, then runs BODY. */
async function fakeCommands(
  dir: string,
  log: string,
  commands: Record<string, string>,
): Promise<string> {
  const bin = join(dir, "bin");
  await Deno.mkdir(bin, { recursive: true });
  for (const [name, body] of Object.entries(commands)) {
    const path = join(bin, name);
    await Deno.writeTextFile(
      path,
      `#!/bin/sh\necho "${name} $*" >>'${log}'\n${body}\n`,
    );
    await Deno.chmod(path, 0o755);
  }
  return bin;
}

const script = (path: string) =>
  BOOT_FILES.find((f) => f.path === `boot.Linux/${path}`)!.content;

Deno.test("wait_provision_ready.sh waits for cloud-init's config stage, restoring its CPU weight, and the network only when the boot started early", async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-boot-" });
  try {
    const log = join(dir, "log");
    const count = join(dir, "count");
    // cloud-config.service is still activating for the first two looks, and the network is
    // not online yet.
    const bin = await fakeCommands(dir, log, {
      systemctl: [
        `case $1 in`,
        `show)`,
        `  n=$(cat '${count}' 2>/dev/null || echo 0); echo $((n + 1)) >'${count}'`,
        `  [ "$n" -ge 2 ] && echo active || echo activating ;;`,
        `-q) exit 3 ;;`,
        `esac`,
      ].join("\n"),
    });
    const file = BOOT_FILES.find((f) =>
      f.path === "util/wait_provision_ready.sh"
    )!;
    const wait = (early: string) =>
      run("sh", [
        "-c",
        `PATH='${bin}':$PATH LIMA_BOOT_EARLY=${early}; export LIMA_BOOT_EARLY; ${file.content}`,
      ]);

    const late = await wait("");
    assert.equal(late.code, 0);
    assert.equal(late.stdout, "");
    await assert.rejects(
      Deno.stat(log),
      "no systemctl call when cloud-final started the boot",
    );

    const early = await wait("1");
    assert.equal(early.code, 0, early.stderr);
    assert.equal(
      early.stdout,
      "Waiting for cloud-init's config stage to finish\n" +
        "Waiting for the network to be online\n",
    );
    assert.equal(await Deno.readTextFile(count), "3\n");
    const calls = await Deno.readTextFile(log);
    assert.match(calls, /^systemctl start network-online\.target$/m);
    assert.equal(
      calls.match(
        /^systemctl set-property --runtime cloud-config\.service CPUWeight=100$/gm,
      )?.length,
      1,
      "the config stage gets its CPU weight back once the boot waits for it",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("00-modprobe.sh loads the missing modules with one background modprobe, one by one if that fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-boot-" });
  try {
    const loaded = new Set<string>();
    for await (const entry of Deno.readDir("/sys/module")) {
      loaded.add(entry.name);
    }
    const wanted = script("00-modprobe.sh").match(/for module in ([^;]*);/)![1]
      .split(/[\s\\]+/).filter(Boolean);
    const missing = wanted.filter((m) => !loaded.has(m));
    for (const failing of [false, true]) {
      const log = join(dir, `log-${failing}`);
      const bin = await fakeCommands(dir, log, {
        modprobe: `[ "$1" != -a ] || exit ${failing ? 1 : 0}`,
      });
      const result = await run("sh", [
        "-c",
        // The loading goes on in the background: wait for it.
        `PATH='${bin}':$PATH; ${script("00-modprobe.sh")}\nwait`,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const calls = await Deno.readTextFile(log).catch(() => "");
      const expected = missing.length === 0
        ? ""
        : [`modprobe -a ${missing.join(" ")}`].concat(
          failing ? missing.map((m) => `modprobe ${m}`) : [],
        ).join("\n") + "\n";
      assert.equal(calls, expected);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "06-enable-mdns-on-systemd.sh turns on mDNS, and single-label names with the host resolver, restarting the resolver only for a change",
  ignore: !canIsolate,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-boot-" });
  try {
    await writeSeed(join(dir, "seed"), seedFiles(seedOptions(IMAGES)));
    const etc = join(dir, "etc-systemd");
    await Deno.mkdir(etc);
    const path = join(dir, "seed/boot.Linux/06-enable-mdns-on-systemd.sh");
    const conf = join(etc, "resolved.conf.d/00-lima.conf");
    /** The drop-in and the resolver restarts of a boot: mDNS running as MDNS, DNSPORTS in lima.env. */
    const boot = async (mdns: string, dnsPorts: string) => {
      const log = join(dir, "log");
      await Deno.remove(log).catch(() => {});
      const bin = await fakeCommands(dir, log, {
        systemctl: "exit 0",
        busctl: `echo 's "${mdns}"'`,
      });
      const result = await inGuest(
        join(dir, "seed"),
        `${dnsPorts} PATH='${bin}':$PATH '${path}'`,
        { "/etc/systemd": etc },
      );
      assert.match(result.stdout, /^exit=0$/m, result.stderr);
      const restarts = (await Deno.readTextFile(log)).split("\n")
        .filter((l) => l.startsWith("systemctl restart"));
      return [await Deno.readTextFile(conf), restarts.length];
    };
    const mdnsOnly = "[Resolve]\nMulticastDNS=yes\n";
    const singleLabel = mdnsOnly + "ResolveUnicastSingleLabel=yes\n";
    const noResolver =
      "LIMA_CIDATA_UDP_DNS_LOCAL_PORT=0 LIMA_CIDATA_TCP_DNS_LOCAL_PORT=0";
    const resolver =
      "LIMA_CIDATA_UDP_DNS_LOCAL_PORT=40053 LIMA_CIDATA_TCP_DNS_LOCAL_PORT=40054";
    assert.deepEqual(await boot("yes", noResolver), [mdnsOnly, 0]);
    assert.deepEqual(await boot("yes", resolver), [singleLabel, 1]);
    assert.deepEqual(await boot("yes", resolver), [singleLabel, 0]);
    assert.deepEqual(await boot("yes", noResolver), [mdnsOnly, 1]);
    await Deno.remove(conf);
    assert.deepEqual(await boot("no", noResolver), [mdnsOnly, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "11-colorterm-environment.sh accepts COLORTERM once and does not wait for the reload",
  ignore: !canIsolate,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-boot-" });
  try {
    await writeSeed(join(dir, "seed"), seedFiles(seedOptions(IMAGES)));
    const ssh = join(dir, "ssh");
    await Deno.mkdir(join(ssh, "sshd_config.d"), { recursive: true });
    await Deno.writeTextFile(
      join(ssh, "sshd_config"),
      "Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\n",
    );
    const log = join(dir, "log");
    const bin = await fakeCommands(dir, log, { systemctl: "exit 0" });
    const path = join(dir, "seed/boot.Linux/11-colorterm-environment.sh");
    // A /run/systemd/system directory tells the script that systemd runs.
    const cmd = `mkdir -p /run/systemd/system; PATH='${bin}':$PATH '${path}'`;
    for (let i = 0; i < 2; i++) {
      const result = await inGuest(join(dir, "seed"), cmd, {
        "/etc/ssh": ssh,
      });
      assert.match(result.stdout, /^exit=0$/m, result.stderr);
    }
    assert.equal(
      await Deno.readTextFile(
        join(ssh, "sshd_config.d/99-lima-colorterm.conf"),
      ),
      "AcceptEnv COLORTERM\n",
    );
    assert.equal(
      await Deno.readTextFile(log),
      "systemctl reload --no-block ssh\n",
    );

    // A drop-in the main file does not include does not count.
    await Deno.writeTextFile(join(ssh, "sshd_config"), "UsePAM yes\n");
    const result = await inGuest(join(dir, "seed"), cmd, { "/etc/ssh": ssh });
    assert.match(result.stdout, /^exit=0$/m, result.stderr);
    assert.equal(
      await Deno.readTextFile(join(ssh, "sshd_config")),
      "UsePAM yes\n\nAcceptEnv COLORTERM\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
