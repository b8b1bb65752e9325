import assert from "node:assert/strict";
import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import {
  descriptorDirs,
  findVirtiofsd,
  type Virtiofsd,
  virtiofsdCommand,
  virtiofsdFromHelp,
} from "./virtiofsd.ts";

const C_HELP = `usage: /usr/lib/qemu/virtiofsd [options]
    -o cache=<mode>            cache mode. could be one of "auto, always, none"
    -o source=PATH             shared directory tree
    --socket-path=PATH         path for the vhost-user socket
`;
const RUST_HELP = `Usage: virtiofsd [OPTIONS]
      --shared-dir <SHARED_DIR>    Shared directory path
      --readonly                   Prevent all write operations
      --socket-path <SOCKET_PATH>  vhost-user socket path
  -o <COMPAT_OPTIONS>              Options in a format compatible with the legacy implementation
`;

const c: Virtiofsd = {
  binary: "/usr/lib/qemu/virtiofsd",
  kind: "c",
  readonlyFlag: false,
};
const rust: Virtiofsd = {
  binary: "/usr/libexec/virtiofsd",
  kind: "rust",
  readonlyFlag: true,
};

Deno.test("the two virtiofsd daemons are told apart by their --help", () => {
  assert.deepEqual(virtiofsdFromHelp(c.binary, C_HELP), c);
  assert.deepEqual(virtiofsdFromHelp(rust.binary, RUST_HELP), rust);
  assert.equal(
    virtiofsdFromHelp("x", RUST_HELP.replace(/.*--readonly.*\n/, ""))
      ?.readonlyFlag,
    false,
  );
  assert.equal(virtiofsdFromHelp("x", "usage: some other daemon"), undefined);
});

Deno.test("the C virtiofsd gets its socket and an escaped source option", () => {
  assert.deepEqual(
    virtiofsdCommand(c, {
      socket: "/L/vm/virtiofsd-0.sock",
      dir: "/home/me/My Files, old\\new",
      writable: true,
    }),
    {
      command: "/usr/lib/qemu/virtiofsd",
      args: [
        "--socket-path=/L/vm/virtiofsd-0.sock",
        "-o",
        "source=/home/me/My Files\\, old\\\\new",
      ],
    },
  );
});

Deno.test("a read-only mount's C virtiofsd sees its directory as a read-only bind mount", () => {
  assert.deepEqual(
    virtiofsdCommand(c, {
      socket: "/L/vm/virtiofsd-1.sock",
      dir: "/home/me/a b",
      writable: false,
    }),
    {
      command: "unshare",
      args: [
        "--mount",
        "--propagation",
        "private",
        "--",
        "sh",
        "-c",
        'mount --bind -o ro -- "$1" "$1" && shift && exec "$@"',
        "virtiofsd",
        "/home/me/a b",
        "/usr/lib/qemu/virtiofsd",
        "--socket-path=/L/vm/virtiofsd-1.sock",
        "-o",
        "source=/home/me/a b",
      ],
    },
  );
});

Deno.test("the Rust virtiofsd gets --readonly for read-only mounts where it has it", () => {
  const mount = { socket: "/L/vm/virtiofsd-1.sock", dir: "/home/me/a b" };
  const base = [
    "--socket-path",
    "/L/vm/virtiofsd-1.sock",
    "--shared-dir",
    "/home/me/a b",
  ];
  assert.deepEqual(virtiofsdCommand(rust, { ...mount, writable: false }), {
    command: "/usr/libexec/virtiofsd",
    args: [...base, "--readonly"],
  });
  assert.deepEqual(virtiofsdCommand(rust, { ...mount, writable: true }), {
    command: "/usr/libexec/virtiofsd",
    args: base,
  });
  assert.deepEqual(
    virtiofsdCommand({ ...rust, readonlyFlag: false }, {
      ...mount,
      writable: false,
    }),
    { command: "/usr/libexec/virtiofsd", args: base },
  );
});

Deno.test("descriptors are searched in the user's, QEMU's and the system's share", () => {
  assert.deepEqual(descriptorDirs("/opt/qemu", "/home/me"), [
    "/home/me/.local/share/qemu/vhost-user",
    "/opt/qemu/share/qemu/vhost-user",
    "/usr/share/qemu/vhost-user",
  ]);
  assert.deepEqual(descriptorDirs("/usr", "/home/me"), [
    "/home/me/.local/share/qemu/vhost-user",
    "/usr/share/qemu/vhost-user",
  ]);
});

async function fakeDaemon(dir: string, name: string, help: string) {
  const binary = join(dir, name);
  await Deno.writeTextFile(binary, `#!/bin/sh\ncat <<'EOF'\n${help}EOF\n`);
  await Deno.chmod(binary, 0o755);
  return binary;
}

Deno.test("findVirtiofsd prefers the Rust daemon and skips other descriptors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cBinary = await fakeDaemon(dir, "c-virtiofsd", C_HELP);
    const rustBinary = await fakeDaemon(dir, "rust-virtiofsd", RUST_HELP);
    const write = (name: string, value: unknown) =>
      Deno.writeTextFile(join(dir, name), JSON.stringify(value));
    await write("10-gpu.json", { type: "gpu", binary: rustBinary });
    await write("20-missing.json", { type: "fs", binary: join(dir, "none") });
    await write("50-qemu-virtiofsd.json", { type: "fs", binary: cBinary });
    assert.deepEqual(await findVirtiofsd([join(dir, "absent"), dir]), {
      binary: cBinary,
      kind: "c",
      readonlyFlag: false,
    });
    await write("60-virtiofsd.json", { type: "fs", binary: rustBinary });
    assert.equal((await findVirtiofsd([dir])).kind, "rust");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("without any virtiofsd the error names mountType", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const err = await findVirtiofsd([dir]).catch((e) => e);
    assert.ok(err instanceof LimaError);
    assert.equal(err.diagnostic.path, "mountType");
    assert.match(err.diagnostic.summary, /virtiofsd was not found/);
    assert.match(err.diagnostic.summary, /mountType: virtiofs/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
