/**
 * Golden tests of the autostart entries, on every host: the files in
 * `tests/fixtures/autostart/` are the exact text Lima's `pkg/autostart/autostart_test.go` expects
 * (the program `/limactl`), and the same entries for a `deno run` command line.
 */
import assert from "node:assert/strict";
import {
  launchAgentPlist,
  launchDaemonPlist,
  systemdUnit,
  systemdWord,
  xmlText,
} from "./render.ts";

const golden = (name: string) =>
  Deno.readTextFile(
    new URL(`../../tests/fixtures/autostart/${name}`, import.meta.url),
  );

const DENO_RUN = ["run", "--allow-all", "--no-prompt"];

Deno.test("the systemd unit is Lima's for one executable", async () => {
  assert.equal(
    systemdUnit({ program: ["/limactl"] }),
    await golden("lima-vm@INSTANCE.service"),
  );
});

Deno.test("the systemd unit runs a checkout with deno run", async () => {
  assert.equal(
    systemdUnit({
      program: [
        "/home/u/.deno/bin/deno",
        ...DENO_RUN,
        "/home/u/src/limactl/main.ts",
      ],
    }),
    await golden("lima-vm@INSTANCE.deno-run.service"),
  );
});

Deno.test("the LaunchAgent plist is Lima's for one executable", async () => {
  assert.equal(
    launchAgentPlist({
      program: ["/limactl"],
      instance: "default",
      workDir: "/some/path",
    }),
    await golden("io.lima-vm.autostart.default.plist"),
  );
});

Deno.test("the LaunchAgent plist runs a checkout with deno run: one string per word", async () => {
  assert.equal(
    launchAgentPlist({
      program: [
        "/Users/u/.deno/bin/deno",
        ...DENO_RUN,
        "/Users/u/src/limactl/main.ts",
      ],
      instance: "default",
      workDir: "/Users/u/.lima/default",
    }),
    await golden("io.lima-vm.autostart.default.deno-run.plist"),
  );
});

Deno.test("the LaunchDaemon plist is Lima's", async () => {
  assert.equal(
    launchDaemonPlist({
      program: ["/limactl"],
      instance: "k3s",
      workDir: "/some/path",
    }, "alice"),
    await golden("io.lima-vm.daemon.k3s.plist"),
  );
});

Deno.test("ExecStart quotes what systemd would otherwise split, expand or unescape", () => {
  assert.equal(systemdWord("/usr/local/bin/limactl"), "/usr/local/bin/limactl");
  assert.equal(systemdWord("/opt/my tools/deno"), '"/opt/my tools/deno"');
  assert.equal(systemdWord("/x/100%/deno"), '"/x/100%%/deno"');
  assert.equal(systemdWord("/x/$HOME/deno"), '"/x/$$HOME/deno"');
  assert.equal(systemdWord('/x/a"b\\c'), '"/x/a\\"b\\\\c"');
  assert.equal(systemdWord(""), '""');
  assert.match(
    systemdUnit({ program: ["/opt/my tools/deno", "run", "/src/main.ts"] }),
    /^ExecStart="\/opt\/my tools\/deno" run \/src\/main\.ts start %i --foreground$/m,
  );
});

Deno.test("plist strings are XML-escaped", () => {
  assert.equal(xmlText("/a&b/<c>"), "/a&amp;b/&lt;c&gt;");
  const plist = launchDaemonPlist({
    program: ["/Apps/R&D/limactl"],
    instance: "vm",
    workDir: "/Users/a&b/.lima/vm",
  }, "a<b");
  assert.match(plist, /<string>\/Apps\/R&amp;D\/limactl<\/string>/);
  assert.match(plist, /<string>\/Users\/a&amp;b\/\.lima\/vm<\/string>/);
  assert.match(plist, /<key>UserName<\/key>\n\t<string>a&lt;b<\/string>/);
});
