/**
 * QEMU snapshots: `qemu-img snapshot` on the disk of a stopped instance, HMP over QMP for a
 * running one (against a fake QMP server, and against a real QEMU that is paused before its
 * firmware runs, so no guest boots).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LimaError } from "../../core/errors.ts";
import { configureLogger } from "../../core/log.ts";
import type { Driver } from "../../plugins/contract.ts";
import qemu from "./mod.ts";
import { startPausedQemu } from "./_paused_qemu.ts";
import {
  hmpArgument,
  hmpSnapshotList,
  qemuImgSnapshotList,
} from "./snapshots.ts";

async function run(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, { args }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${command} ${args.join(" ")}: ${text}`);
  return text;
}

/** Writes BYTE over the first 64 KiB of the qcow2 image FILE. */
const writePattern = (file: string, byte: number) =>
  run("qemu-io", ["-f", "qcow2", "-c", `write -P ${byte} 0 64k`, file]);

/** Whether the first 64 KiB of FILE are all BYTE. */
async function hasPattern(file: string, byte: number): Promise<boolean> {
  const out = await new Deno.Command("qemu-io", {
    args: ["-f", "qcow2", "-c", `read -P ${byte} 0 64k`, file],
  }).output();
  return out.success;
}

/** A driver for a stopped instance in a fresh directory, with a qcow2 `disk` unless NODISK. */
async function stoppedInstance(
  o: { disk?: string | false } = {},
): Promise<{ dir: string; driver: Driver; disk: string }> {
  const dir = await Deno.makeTempDir({ prefix: "lima-snap-" });
  const disk = join(dir, o.disk || "disk");
  if (o.disk !== false) {
    await run("qemu-img", ["create", "-f", "qcow2", disk, "16M"]);
  }
  const driver = qemu({ name: "snap", dir, config: { vmType: "qemu" } });
  return { dir, driver, disk };
}

Deno.test("a stopped instance's snapshots are made, applied and deleted with qemu-img on its disk", async () => {
  const { dir, driver, disk } = await stoppedInstance();
  const snapshots = driver.snapshots!;
  try {
    assert.equal(await snapshots.list(), "", "no snapshots: no table");
    await writePattern(disk, 0xaa);
    await snapshots.create("snap1");
    await snapshots.create("snap two");
    const table = (await snapshots.list()).split("\n");
    assert.match(table[0], /^ID +TAG +VM SIZE +DATE +VM CLOCK +ICOUNT$/);
    assert.match(table[1], /^1 +snap1 +/);
    assert.match(table[2], /^2 +snap two +/);
    assert.equal(table.length, 4, "the rows end with a newline");

    await writePattern(disk, 0x55);
    assert.ok(await hasPattern(disk, 0x55));
    await snapshots.apply("snap1");
    assert.ok(await hasPattern(disk, 0xaa), "apply restores the disk");

    await snapshots.delete("snap1");
    assert.doesNotMatch(await snapshots.list(), /snap1/);
    assert.match(await snapshots.list(), /snap two/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a stopped instance's snapshot failures name the snapshot and qemu-img's reason", async () => {
  const { dir, driver } = await stoppedInstance();
  try {
    for (
      const [op, verb] of [
        [() => driver.snapshots!.apply("nope"), "apply"],
        [() => driver.snapshots!.delete("nope"), "delete"],
      ] as const
    ) {
      const err = await op().then(() => undefined, (e) => e);
      assert.ok(err instanceof LimaError);
      assert.equal(
        err.diagnostic.summary,
        `failed to ${verb} snapshot \`nope\``,
      );
      assert.match(err.diagnostic.detail!, /^qemu-img snapshot -[ad] nope /);
      assert.match(err.diagnostic.detail!, /qemu-img: Could not/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an instance not started since Lima 2.1 has its snapshots on diffdisk; one never started has none", async () => {
  const legacy = await stoppedInstance({ disk: "diffdisk" });
  const none = await stoppedInstance({ disk: false });
  try {
    await legacy.driver.snapshots!.create("old");
    assert.match(await run("qemu-img", ["snapshot", "-l", legacy.disk]), /old/);
    await assert.rejects(
      () => Deno.lstat(join(legacy.dir, "disk")),
      Deno.errors.NotFound,
      "snapshots do not migrate the disk layout",
    );

    const err = await none.driver.snapshots!.list().then(
      () => undefined,
      (e) => e,
    );
    assert.ok(err instanceof LimaError);
    assert.equal(err.diagnostic.summary, "the instance has no disk yet");
  } finally {
    await Deno.remove(legacy.dir, { recursive: true });
    await Deno.remove(none.dir, { recursive: true });
  }
});

Deno.test("HMP arguments: one word as it is, anything else quoted as HMP reads strings", () => {
  assert.equal(hmpArgument("snap1"), "snap1");
  assert.equal(hmpArgument("v1.0-rc_2"), "v1.0-rc_2");
  assert.equal(hmpArgument("snap two"), '"snap two"');
  assert.equal(hmpArgument('say "hi"'), '"say \\"hi\\""');
  assert.equal(hmpArgument("a\\b"), '"a\\\\b"');
  assert.equal(hmpArgument(""), '""');
});

Deno.test("snapshot tables lose the lines before the header, as Lima prints them", () => {
  const header =
    "ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT";
  assert.equal(
    hmpSnapshotList(
      `List of snapshots present on all disks:\r\n${header}\r\n--        s1   495 KiB 2026-01-01 00:00:00 00:00:00.000\r\n`,
    ),
    `${header}\n--        s1   495 KiB 2026-01-01 00:00:00 00:00:00.000\n`,
  );
  assert.equal(hmpSnapshotList("There is no snapshot available.\r\n"), "");
  assert.equal(
    qemuImgSnapshotList(`Snapshot list:\n${header}\n`),
    `${header}\n`,
  );
  assert.equal(qemuImgSnapshotList(""), "");
});

/** A fake QMP server on `DIR/qmp.sock` that answers HMP commands with REPLIES. */
function fakeQmp(dir: string, replies: (command: string) => string) {
  const commands: string[] = [];
  const listener = Deno.listen({
    transport: "unix",
    path: join(dir, "qmp.sock"),
  });
  const serving = (async () => {
    for await (const conn of listener) {
      const send = (obj: unknown) =>
        conn.write(new TextEncoder().encode(JSON.stringify(obj) + "\r\n"));
      await send({ QMP: { version: {}, capabilities: [] } });
      let buffered = "";
      for await (const chunk of conn.readable) {
        buffered += new TextDecoder().decode(chunk);
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const request = JSON.parse(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          if (request.execute === "human-monitor-command") {
            const line = request.arguments["command-line"];
            commands.push(line);
            await send({ event: "RESUME" });
            await send({ return: replies(line) });
          } else {
            await send({ return: {} });
          }
        }
      }
    }
  })();
  return {
    commands,
    async close() {
      listener.close();
      await serving.catch(() => {});
    },
  };
}

Deno.test("a running instance's snapshots are HMP commands sent over its QMP socket", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lima-snap-" });
  // A live PID in qemu.pid: the driver takes the instance for running.
  await Deno.writeTextFile(join(dir, "qemu.pid"), `${Deno.pid}\n`);
  const header =
    "ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT";
  const server = fakeQmp(dir, (line) => {
    switch (line) {
      case "info snapshots":
        return `List of snapshots present on all disks:\r\n${header}\r\n--        snap1             495 KiB 2026-01-01 00:00:00 00:00:00.000\r\n`;
      case "loadvm nope":
        return "Error: Snapshot 'nope' does not exist in one or more devices\r\n";
      case "delvm chatty":
        return "something to say\r\n";
      default:
        return "";
    }
  });
  const logged: string[] = [];
  configureLogger({
    format: "json",
    write: (line) => {
      const { level, msg } = JSON.parse(line);
      logged.push(`${level}: ${msg}`);
    },
  });
  try {
    const snapshots = qemu({ name: "snap", dir, config: { vmType: "qemu" } })
      .snapshots!;
    await snapshots.create("snap1");
    await snapshots.create("snap two");
    await snapshots.apply("snap1");
    await snapshots.delete("snap1");
    assert.equal(
      await snapshots.list(),
      `${header}\n--        snap1             495 KiB 2026-01-01 00:00:00 00:00:00.000\n`,
    );
    assert.deepEqual(server.commands, [
      "savevm snap1",
      'savevm "snap two"',
      "loadvm snap1",
      "delvm snap1",
      "info snapshots",
    ]);
    assert.ok(logged.includes("info: Sending HMP savevm command"));

    const err = await snapshots.apply("nope").then(() => undefined, (e) => e);
    assert.ok(err instanceof LimaError);
    assert.equal(err.diagnostic.summary, "failed to apply snapshot `nope`");
    assert.equal(
      err.diagnostic.detail,
      "Snapshot 'nope' does not exist in one or more devices",
    );

    await snapshots.delete("chatty");
    assert.ok(
      logged.includes("warning: output: something to say"),
      "other HMP output is a warning, as in Lima",
    );
  } finally {
    configureLogger({
      format: "text",
      write: (line) =>
        Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a running QEMU (paused before its firmware) saves, lists, loads and deletes snapshots over QMP", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lima-snap-" });
  const disk = join(dir, "disk");
  await run("qemu-img", ["create", "-f", "qcow2", disk, "16M"]);
  try {
    await using _vm = await startPausedQemu(dir, [
      "-drive",
      `file=${disk},if=none,format=qcow2,id=disk0`,
    ]);
    const snapshots = qemu({ name: "snap", dir, config: { vmType: "qemu" } })
      .snapshots!;
    assert.equal(await snapshots.list(), "");
    await snapshots.create("snap1");
    await snapshots.create("snap two");
    const table = await snapshots.list();
    assert.match(table, /^ID +TAG +VM SIZE +DATE +VM CLOCK +ICOUNT\n/);
    assert.match(table, /\n-- +snap1 +/);
    assert.match(table, /\n-- +snap two +/);
    await snapshots.apply("snap two");
    const err = await snapshots.apply("nope").then(() => undefined, (e) => e);
    assert.ok(err instanceof LimaError);
    assert.match(err.diagnostic.detail!, /nope/);
    await snapshots.delete("snap1");
    assert.doesNotMatch(await snapshots.list(), /snap1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
