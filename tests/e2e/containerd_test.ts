/**
 * The `containerd` section end to end with a stand-in nerdctl-full archive (the real one comes
 * from GitHub): `start` takes it from `containerd.archives` after checking its digest, the seed
 * carries it, the boot scripts unpack it into the install prefix and start its system services,
 * the containerd requirement is met, and `nerdctl.lima` runs its nerdctl. A wrong digest fails
 * `start` before anything boots.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parse, stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import { guestImage, skipVMTests, start, withLima } from "./harness.ts";

/** Writes a nerdctl-full-like archive to DIR; returns its path and sha256 digest. */
async function standInArchive(dir: string) {
  const root = `${dir}/archive`;
  await Deno.mkdir(`${root}/bin`, { recursive: true });
  await Deno.mkdir(`${root}/lib/systemd/system`, { recursive: true });
  await Deno.writeTextFile(
    `${root}/bin/nerdctl`,
    '#!/bin/sh\necho "stand-in nerdctl $*"\n',
    { mode: 0o755 },
  );
  for (const service of ["containerd", "buildkit"]) {
    await Deno.writeTextFile(
      `${root}/lib/systemd/system/${service}.service`,
      `[Unit]\nDescription=stand-in ${service}\n\n[Service]\nExecStart=/bin/sleep infinity\n\n` +
        "[Install]\nWantedBy=multi-user.target\n",
    );
  }
  const path = `${dir}/nerdctl-full-test-linux-amd64.tar.gz`;
  const tar = await new Deno.Command("tar", {
    args: ["-C", root, "-czf", path, "bin", "lib"],
  }).output();
  assert.equal(tar.code, 0, new TextDecoder().decode(tar.stderr));
  const sum = createHash("sha256").update(await Deno.readFile(path)).digest(
    "hex",
  );
  return { path, digest: `sha256:${sum}` };
}

Deno.test({
  name:
    "containerd: the archive is fetched, installed and started; nerdctl.lima runs it",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    const archive = await standInArchive(lima.home);
    const template = parse(testTemplate(image));
    const withDigest = (digest: string) =>
      stringify({
        ...template,
        containerd: {
          system: true,
          user: false,
          archives: [{ location: archive.path, arch: "x86_64", digest }],
        },
      });

    await t.step("a wrong digest fails start before the VM boots", async () => {
      const file = `${lima.home}/bad.yaml`;
      await Deno.writeTextFile(file, withDigest(`sha256:${"0".repeat(64)}`));
      const r = await lima.expect(1, ["start", "--tty=false", file]);
      assert.match(r.stderr, /failed to download the nerdctl archive/);
      assert.match(r.stderr, /does not match the expected digest/);
      assert.equal((await lima.status("bad")).status, "Stopped");
      await lima.expect(0, ["delete", "bad"]);
    });

    const file = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(file, withDigest(archive.digest));
    const r = await start(lima, ["--tty=false", file]);
    assert.match(
      r.stderr,
      /optional requirement 2 of 2 is satisfied/,
    );
    assert.doesNotMatch(r.stderr, /DEGRADED/);

    await t.step("the archive is unpacked and its services run", async () => {
      assert.equal(
        await lima.sh("vm", "systemctl is-active containerd buildkit"),
        "active\nactive",
      );
      assert.equal(
        await lima.sh("vm", "command -v nerdctl"),
        "/usr/local/bin/nerdctl",
      );
    });

    await t.step("nerdctl.lima runs the guest's nerdctl", async () => {
      const out = await lima.wrapper("nerdctl.lima", ["ps", "-a"], {
        LIMA_INSTANCE: "vm",
      });
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout, "stand-in nerdctl ps -a\n");
    });

    await lima.expect(0, ["stop", "vm"]);
  });
});
