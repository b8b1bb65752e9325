/**
 * `limactl start` shows where the boot is and says early why a boot is stuck. One instance of the
 * test guest: a normal start shows the boot's phases in order, as log lines and on a terminal,
 * with the events in `ha.stdout.log`; then the same instance is broken four ways (its kernel
 * file removed, `init=/bin/false`, a root device that does not exist, an sshd_config sshd
 * refuses) and each start must fail naming the cause, long before `--timeout`: within 90 s, or
 * for sshd within 150 s, as the guest must first boot that far.
 */
import assert from "node:assert/strict";
import { terminalCommand } from "../cli/helpers.ts";
import { testTemplate } from "../fixtures/test_template.ts";
import {
  BOOT_TIMEOUT,
  decoder,
  guestImage,
  type Lima,
  seconds,
  skipVMTests,
  start,
  withLima,
} from "./harness.ts";

/** What the issue asks of a stuck boot: start fails within this. */
const STUCK_START_MS = 90_000;
/**
 * sshd can only fail once the guest has come that far: after cloud-init's network stage, which
 * took 55-110 s under TCG on a 2-core host shared with other VMs (measured in this test).
 */
const SSHD_FAILED_MS = 150_000;

/** The phases a normal start of the test guest shows, in order (labels of boot_phases.ts). */
const NORMAL_PHASES = [
  "VM started",
  "kernel",
  "initrd",
  "userspace",
  "cloud-init init-local",
  "cloud-init init",
  "sshd up",
  "requirement satisfied",
  "boot scripts done",
  "READY",
];

/** The phase names of the same boot in the host agent's events. */
const NORMAL_EVENTS = [
  "vm-started",
  "kernel",
  "initrd",
  "userspace",
  "cloud-init-local",
  "cloud-init-network",
  "sshd",
  "requirement",
  "boot-scripts-done",
  "ready",
];

/** Asserts that EXPECTED occur in SEEN in this order (other entries may come between). */
function assertInOrder(seen: string[], expected: string[], what: string) {
  let at = 0;
  for (const item of seen) if (item === expected[at]) at++;
  assert.equal(
    at,
    expected.length,
    `${what}: expected ${JSON.stringify(expected)} in order, saw ${
      JSON.stringify(seen)
    }`,
  );
}

/** The phase labels of `Boot phase: LABEL[: detail]` log lines. */
function loggedPhases(stderr: string): string[] {
  return [...stderr.matchAll(/msg="Boot phase: ([^":]+)/g)].map((m) => m[1]);
}

/** The `bootPhase` names of the events in `ha.stdout.log` written since SINCE. */
async function eventPhases(lima: Lima, since: Date): Promise<string[]> {
  const text = await Deno.readTextFile(`${lima.dir("vm")}/ha.stdout.log`);
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l))
    .filter((e) => new Date(e.time) >= since && e.status.bootPhase)
    .map((e) => e.status.bootPhase.phase);
}

/** Starts "vm", which must fail within BOUND_MS; returns its stderr. */
async function startStuck(
  lima: Lima,
  what: string,
  boundMs = STUCK_START_MS,
): Promise<string> {
  const started = performance.now();
  // Far beyond the 90 s asked, yet short of Lima's 10 minutes: a missed diagnosis fails soon.
  const r = await lima.run(["start", "--tty=false", "--timeout", "3m", "vm"]);
  const took = performance.now() - started;
  console.log(`  ${what}: start failed after ${seconds(took)}`);
  assert.equal(r.code, 1, `start exited ${r.code}:\n${r.stderr}`);
  assert.ok(
    took < boundMs,
    `start took ${seconds(took)}, more than ${seconds(boundMs)}`,
  );
  return r.stderr;
}

Deno.test({
  name: "start shows the boot's phases and names the cause of a stuck boot",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  await withLima(async (lima) => {
    const file = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(file, testTemplate(image));
    const dir = lima.dir("vm");

    await t.step("a normal start logs every phase in order", async () => {
      const since = new Date();
      const r = await start(lima, ["--tty=false", file]);
      // Stopped first, so that a failed assertion leaves the next steps a stopped instance.
      await lima.expect(0, ["stop", "--force", "vm"]);
      assertInOrder(loggedPhases(r.stderr), NORMAL_PHASES, "start's log");
      assertInOrder(await eventPhases(lima, since), NORMAL_EVENTS, "events");
      // Lima's fields are still there for tools that read them.
      const events = (await Deno.readTextFile(`${dir}/ha.stdout.log`))
        .split("\n").filter(Boolean).map((l) => JSON.parse(l));
      assert.ok(events.some((e) => e.status.running && e.status.sshLocalPort));
    });

    await t.step("on a terminal the phases show on one live line", async () => {
      const started = performance.now();
      const child = terminalCommand(
        ["start", "--timeout", BOOT_TIMEOUT, "vm"],
        { limaHome: lima.home },
        { stderr: "null", timeoutMs: 6 * 60_000 },
      ).spawn();
      // Nobody types; the input stays open, as script(1) ends the session at its end.
      const out = await child.output();
      await child.stdin.close().catch(() => {});
      const screen = decoder.decode(out.stdout);
      console.log(
        `  start on a terminal: READY after ${
          seconds(performance.now() - started)
        }`,
      );
      try {
        // For the last step: sshd will refuse its configuration at the next boot.
        await lima.sh(
          "vm",
          "echo NotAnOption yes | sudo tee -a /etc/ssh/sshd_config >/dev/null && sync",
        );
      } finally {
        await lima.expect(0, ["stop", "--force", "vm"]);
      }
      assert.equal(out.code, 0, screen);
      // Each phase redraws the same line: a carriage return, then the line cleared.
      const drawn = [
        ...screen.replaceAll("\r\x1b[K", "<CR>").matchAll(
          /<CR>Booting \[[\d.]+s\] (.+?) \(at /g,
        ),
      ].map((m) => m[1]);
      assertInOrder(drawn, NORMAL_PHASES, "the terminal line");
      assert.doesNotMatch(screen, /INFO\[\d+\] Boot phase:/);
      assert.match(screen, /READY/);
    });

    await t.step(
      "no kernel to boot: start names the silent console",
      async () => {
        await Deno.rename(`${dir}/kernel`, `${dir}/kernel.removed`);
        const stderr = await startStuck(lima, "kernel removed");
        assert.match(
          stderr,
          /The guest printed nothing on its console within 60s of the VM's start/,
        );
        assert.match(stderr, /serial\.log/);
        await Deno.rename(`${dir}/kernel.removed`, `${dir}/kernel`);
      },
    );

    await t.step("init=/bin/false: start names the kernel panic", async () => {
      await Deno.writeTextFile(
        `${dir}/kernel.cmdline`,
        "root=/dev/vda ro console=ttyS0 init=/bin/false",
      );
      const stderr = await startStuck(lima, "kernel panic");
      assert.match(
        stderr,
        /The guest kernel panicked: Attempted to kill init!/,
      );
      assert.match(stderr, /last lines of the guest's console/);
    });

    await t.step(
      "root=/dev/vdz: start names the missing root file system",
      async () => {
        // Debian's initramfs waits 30 s for the device (rootdelay= only lengthens that).
        await Deno.writeTextFile(
          `${dir}/kernel.cmdline`,
          "root=/dev/vdz ro console=ttyS0",
        );
        const stderr = await startStuck(lima, "root file system missing");
        assert.match(
          stderr,
          /The guest did not find its root file system \(root=\/dev\/vdz\)/,
        );
      },
    );

    await t.step("sshd_config broken: start names sshd", async () => {
      // The terminal step left a line sshd refuses in sshd_config. On the cloud-init path
      // ssh.service starts before the serial getty, while systemd still reports on the console.
      await Deno.writeTextFile(
        `${dir}/kernel.cmdline`,
        "root=/dev/vda ro console=ttyS0",
      );
      const stderr = await startStuck(lima, "sshd failing", SSHD_FAILED_MS);
      assert.match(
        stderr,
        /The guest's sshd failed to start \(ssh\.service\)/,
      );
    });
  });
});
