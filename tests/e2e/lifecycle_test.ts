/**
 * The life of a real instance through the `limactl` CLI, on the Debian test guest: create and
 * start from a template, shell (output, stdin, exit codes), copy both ways, stop and start with
 * the data kept, kill -9 of QEMU and of the host agent with the status that `list` reports and
 * the recovery, the `in_use_by` lock of an additional disk through all of these, and the errors for bad images, a busy SSH port and a guest whose SSH never
 * answers. Needs root (the image build), QEMU and qemu-img; outside CI a missing prerequisite
 * skips the test, in CI it fails it.
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import { diskUser } from "./guest_contract.ts";
import {
  assertUserManager,
  checkDisk,
  decoder,
  guestImage,
  running,
  seconds,
  skipVMTests,
  sleep,
  start,
  waitFor,
  withLima,
} from "./harness.ts";

Deno.test({
  name:
    "an instance starts, runs commands, keeps its data across restarts and survives kill -9",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    const template = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(
      template,
      testTemplate(image) + "additionalDisks: [data]\n",
    );
    const name = "vm";
    const dir = lima.dir(name);
    await lima.expect(0, ["disk", "create", "data", "--size", "64MiB"]);

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

    await t.step(
      "the additional disk is locked: resize, delete and a second instance are refused",
      async () => {
        const table = await lima.expect(0, ["disk", "list"]);
        assert.match(table.stdout, /IN-USE-BY\n/);
        assert.match(table.stdout, /^data\s+64MiB\s+qcow2\s+\S+\s+vm\n/m);
        const resize = await lima.expect(1, [
          "disk",
          "resize",
          "data",
          "--size",
          "128MiB",
        ]);
        assert.match(resize.stderr, /used by running instance `vm`/);
        const del = await lima.expect(1, ["disk", "delete", "data"]);
        assert.match(del.stderr, /in use by instance `vm`/);
        assert.match(
          (await lima.expect(0, ["disk", "list"])).stdout,
          /^data\s+64MiB\s/m,
        );
        const other = await lima.run([
          "start",
          "--tty=false",
          "--name",
          "other",
          template,
        ]);
        assert.notEqual(other.code, 0);
        assert.match(
          other.stderr,
          /failed to run attach disk `data`, in use by instance `vm`/,
        );
        assert.equal((await lima.status("other")).status, "Stopped");
        await assert.rejects(Deno.stat(`${lima.dir("other")}/qemu.pid`));
        await lima.expect(0, ["delete", "other"]);
        assert.equal(await diskUser(lima, "data"), "vm");
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

    await t.step(
      "the user's systemd manager lingers with a delegated cgroup",
      () => assertUserManager(lima, name),
    );

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
        assert.equal(
          await diskUser(lima, "data"),
          "",
          "stop releases the data disk",
        );
        await lima.expect(1, ["stop", name]);
        // `shell --start` boots a stopped instance, then runs the command.
        const cat = await lima.expect(0, [
          "shell",
          "--start",
          name,
          "cat",
          "marker",
        ]);
        assert.equal(cat.stdout.trim(), marker);
        assert.equal(await diskUser(lima, "data"), "vm");
      },
    );

    await t.step(
      "kill -9 of QEMU: the instance is Stopped at once",
      async () => {
        Deno.kill(await lima.pid(name, "qemu.pid"), "SIGKILL");
        const haLog = () => Deno.readTextFile(`${dir}/ha.stderr.log`);
        const took = await waitFor(
          "the status to become Stopped",
          1000,
          async () => (await lima.status(name)).status === "Stopped",
        ).catch(async (err) =>
          assert.fail(`${err.message}; ha.stderr.log:\n${await haLog()}`)
        );
        console.log(`  Stopped ${seconds(took)} after the kill`);
        assert.match(
          await Deno.readTextFile(`${dir}/ha.stdout.log`),
          /"exiting":true/,
          `the host agent ended without its exiting event:\n${await haLog()}`,
        );
        assert.equal(
          await diskUser(lima, "data"),
          "",
          "the host agent released the disk",
        );
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
        assert.equal(
          await diskUser(lima, "data"),
          "vm",
          "QEMU still has the disk open",
        );
        const forced = await lima.expect(0, ["stop", "--force", name]);
        assert.match(
          forced.stderr,
          /Sending SIGKILL to the qemu driver process/,
        );
        await waitFor("QEMU to die", 5000, async () => !(await running(qemu)));
        assert.equal((await lima.status(name)).status, "Stopped");
        assert.equal(
          await diskUser(lima, "data"),
          "",
          "stop --force releases the disk",
        );
        await checkDisk(`${dir}/disk`);
      },
    );

    await t.step(
      "start recovers with the data intact, from the disk layout of Lima before 2.1; delete removes it",
      async () => {
        // Lima 0.x and 1.x kept the VM disk as `diffdisk`; start must boot it, not a fresh disk.
        await Deno.rename(`${dir}/disk`, `${dir}/diffdisk`);
        await lima.expect(0, [
          "edit",
          "--start",
          "--set",
          ".ssh.forwardAgent = false",
          name,
        ]);
        assert.equal(await Deno.readLink(`${dir}/disk`), "diffdisk");
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
  ignore: skipVMTests,
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
