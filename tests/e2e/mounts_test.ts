/**
 * Mounts on a real instance, once per mount type (reverse-sshfs, 9p, and virtiofs through
 * whichever virtiofsd the host has): the home directory (`~`, here a temporary $HOME) is
 * readable and not writable in the guest (for the kernel mounts, not even by root remounting
 * it read-write), and a writable mount whose path and file names contain spaces carries files
 * both ways.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import {
  guestImage,
  type Lima,
  skipVMTests,
  start,
  virtiofsdProcesses,
  withLima,
} from "./harness.ts";

const WRITABLE_POINT = "/mnt/shared dir";

async function guest(lima: Lima, script: string, stdin?: string) {
  return await lima.run(["shell", "vm", "sh", "-c", script], stdin);
}

/** The sockets of the instance in DIR that a virtiofsd process serves. */
async function virtiofsSockets(dir: string): Promise<string[]> {
  const sockets = (await virtiofsdProcesses(dir)).map((p) => p.socket);
  return [...new Set(sockets)].sort();
}

const FSTYPE: Record<string, string> = {
  "reverse-sshfs": "fuse.sshfs",
  "9p": "9p",
  virtiofs: "virtiofs",
};

for (const mountType of Object.keys(FSTYPE)) {
  Deno.test({
    name: `${mountType} mounts: read-only home, writable mount with spaces`,
    ignore: skipVMTests,
  }, async (t) => {
    const image = await guestImage();
    const host = await Deno.makeTempDir({ prefix: "lc-mounts" });
    const home = `${host}/home`;
    const shared = `${host}/shared with spaces`;
    await Deno.mkdir(home);
    // 9p and virtiofs show the host's owners and modes to the guest user, whose uid is the
    // host user's (but 1000 when the host user is root): let any guest user write here.
    await Deno.mkdir(shared, { mode: 0o777 });
    await Deno.chmod(shared, 0o777);
    await Deno.writeTextFile(`${home}/from host.txt`, "written on the host\n");
    try {
      await withLima(async (lima) => {
        const template = parse(testTemplate(image));
        template.mountType = mountType;
        template.mounts = [
          { location: "~" },
          { location: shared, mountPoint: WRITABLE_POINT, writable: true },
          { location: `${host}/created at start`, mountPoint: "/mnt/created" },
        ];
        const file = `${lima.home}/vm.yaml`;
        await Deno.writeTextFile(file, stringify(template));
        await start(lima, ["--tty=false", file]);

        await t.step("the home mount is readable", async () => {
          const r = await guest(lima, `cat "${home}/from host.txt"`);
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout, "written on the host\n");
          const type = await guest(lima, `findmnt -n -o FSTYPE -M "${home}"`);
          assert.equal(type.stdout.trim(), FSTYPE[mountType]);
        });

        await t.step("the home mount is not writable", async () => {
          const r = await guest(
            lima,
            `echo nope >"${home}/from guest.txt" || sudo sh -c 'echo nope >"${home}/from guest root.txt"'`,
          );
          assert.notEqual(r.code, 0);
          const names = [...Deno.readDirSync(home)].map((e) => e.name);
          assert.deepEqual(names.filter((n) => n.startsWith("from ")), [
            "from host.txt",
          ]);
        });

        if (mountType !== "reverse-sshfs") {
          await t.step(
            "root in the guest cannot write the home mount even remounted read-write",
            async () => {
              const remount = await guest(
                lima,
                `sudo mount -o remount,rw "${home}" && findmnt -n -o OPTIONS -M "${home}"`,
              );
              assert.equal(remount.code, 0, remount.stderr);
              assert.match(remount.stdout, /^rw\b/);
              const r = await guest(
                lima,
                `sudo sh -c 'echo nope >"${home}/from guest root.txt"'`,
              );
              assert.notEqual(r.code, 0);
              assert.match(r.stderr, /Read-only file system/);
              assert.deepEqual(
                [...Deno.readDirSync(home)].map((e) => e.name).filter((n) =>
                  n.startsWith("from ")
                ),
                ["from host.txt"],
              );
            },
          );
        }

        await t.step(
          "a missing host directory is created at start",
          async () => {
            assert.ok(
              (await Deno.stat(`${host}/created at start`)).isDirectory,
            );
          },
        );

        await t.step("a file goes from the guest to the host", async () => {
          const r = await guest(
            lima,
            `cat >"${WRITABLE_POINT}/guest file.txt"`,
            "guest data\n",
          );
          assert.equal(r.code, 0, r.stderr);
          assert.equal(
            await Deno.readTextFile(`${shared}/guest file.txt`),
            "guest data\n",
          );
        });

        await t.step("a file goes from the host to the guest", async () => {
          await Deno.writeTextFile(`${shared}/host file.txt`, "host data\n");
          const r = await guest(lima, `cat "${WRITABLE_POINT}/host file.txt"`);
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout, "host data\n");
        });

        if (mountType === "virtiofs") {
          await t.step("one virtiofsd per mount runs with the VM", async () => {
            assert.deepEqual(await virtiofsSockets(lima.dir("vm")), [
              "virtiofsd-0.sock",
              "virtiofsd-1.sock",
              "virtiofsd-2.sock",
            ]);
          });
        }

        await lima.expect(0, ["stop", "vm"]);

        if (mountType === "virtiofs") {
          await t.step("the virtiofsd daemons stop with the VM", async () => {
            assert.deepEqual(await virtiofsSockets(lima.dir("vm")), []);
          });
        }
      }, { HOME: home });
    } finally {
      await Deno.remove(host, { recursive: true });
    }
  });
}
