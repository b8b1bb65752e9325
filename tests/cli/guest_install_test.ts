/**
 * `limactl guest-install` (hidden): Lima's arguments and errors, and installing into the fake
 * running instance (`running_fake.ts`), whose `guestInstallPrefix` is a temporary directory and
 * whose `sudo` runs the command as the login user.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { GUEST_AGENT_PYTHON } from "../../core/guestagent/agent.ts";
import { haveSSHD } from "../fixtures/sshd.ts";
import {
  assertFatal,
  assertInfo,
  createDummyInstance,
  limactlExpect,
  tempLimaHome,
} from "./helpers.ts";
import { runningFake } from "./running_fake.ts";

Deno.test("guest-install takes at most one instance, default by default, which must be running", async () => {
  const limaHome = await tempLimaHome();
  try {
    let r = await limactlExpect(1, ["guest-install", "a", "b"], { limaHome });
    assertFatal(
      r.stderr,
      "`limactl guest-install` accepts at most 1 arg(s), received 2",
    );
    r = await limactlExpect(1, ["guest-install"], { limaHome });
    assertFatal(
      r.stderr,
      `open ${
        join(limaHome, "default", "lima.yaml")
      }: no such file or directory`,
    );
    await createDummyInstance("stopped", { limaHome });
    r = await limactlExpect(1, ["guest-install", "stopped"], { limaHome });
    assertFatal(
      r.stderr,
      "instance `stopped` is stopped, run `limactl start stopped` to start the instance",
    );
    const help = await limactlExpect(0, ["--help"], { limaHome });
    assert.ok(!help.stdout.includes("guest-install"), "the command is hidden");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test({
  name:
    "guest-install installs the guest agent and unpacks the nerdctl archive into guestInstallPrefix",
  ignore: !haveSSHD(),
}, async () => {
  const archiveDir = await Deno.makeTempDir({ prefix: "lima-nerdctl-" });
  try {
    await Deno.mkdir(join(archiveDir, "bin"));
    await Deno.writeTextFile(join(archiveDir, "bin", "nerdctl"), "#!/bin/sh\n");
    const archive = join(archiveDir, "nerdctl-full-test.tgz");
    const tar = await new Deno.Command("tar", {
      args: ["-C", archiveDir, "-czf", archive, "bin"],
    }).output();
    assert.ok(tar.success);
    await using fake = await runningFake({
      sudo: true,
      config: (limaHome) => ({
        guestInstallPrefix: join(limaHome, "prefix"),
        containerd: {
          system: true,
          user: false,
          archives: [{ location: archive }],
        },
      }),
    });
    const prefix = join(fake.limaHome, "prefix");
    await Deno.mkdir(join(prefix, "bin"), { recursive: true });
    const r = await limactlExpect(0, ["guest-install", "vm"], {
      limaHome: fake.limaHome,
    });
    const agent = join(prefix, "bin", "lima-guestagent");
    assert.equal(await Deno.readTextFile(agent), GUEST_AGENT_PYTHON);
    assert.equal((await Deno.stat(agent)).mode! & 0o777, 0o755);
    assert.equal(
      await Deno.readTextFile(join(prefix, "bin", "nerdctl")),
      "#!/bin/sh\n",
    );
    assertInfo(r.stderr, "Copying `lima-guestagent` to vm:lima-guestagent");
    assertInfo(r.stderr, `Installing lima-guestagent to ${agent}`);
    assertInfo(
      r.stderr,
      "Copying `nerdctl-full-test.tgz` to vm:nerdctl-full.tgz",
    );
    assertInfo(r.stderr, `Installing nerdctl-full.tgz in ${prefix}`);
  } finally {
    await Deno.remove(archiveDir, { recursive: true });
  }
});

Deno.test({
  name: "guest-install fails when the install in the guest fails",
  ignore: !haveSSHD(),
}, async () => {
  await using fake = await runningFake({
    sudo: true,
    config: (limaHome) => ({ guestInstallPrefix: join(limaHome, "missing") }),
  });
  const r = await limactlExpect(1, ["guest-install", "vm"], {
    limaHome: fake.limaHome,
  });
  assertFatal(r.stderr, "failed to install lima-guestagent: exit status 1");
});
