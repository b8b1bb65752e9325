/**
 * The README's quick start, run as a new user would type it: the fenced block after the
 * `<!-- quick-start … -->` marker in README.md, one command a line, in order, with `limactl` being
 * this checkout (`deno run -A main.ts`) and `lima` the `cli/wrappers/lima` script. Each command
 * must succeed and `lima uname -a` must print a Linux kernel, so a command renamed or broken in
 * the tool, or in the README, fails this test.
 *
 * One deviation, and only for `limactl start`: the default template boots Ubuntu's cloud image,
 * a download of several hundred MB through UEFI firmware, and installs containerd from the
 * network. The test appends `--set` expressions that point the image at the cached Debian test
 * guest (the same files and boot settings as `tests/fixtures/test_template.ts`) and turn off
 * what that guest lacks (containerd, the home mount), plus `--timeout` for a slow TCG boot.
 * Everything else of the default template, and every other command, runs as written.
 *
 * Boots one VM. Outside CI a missing prerequisite skips the boot; under CI=true it fails it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { GuestImage } from "../fixtures/guest_image.ts";
import {
  BOOT_TIMEOUT,
  decoder,
  guestImage,
  seconds,
  skipVMTests,
  withLima,
} from "./harness.ts";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));
const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const LIMA_WRAPPER = fileURLToPath(
  new URL("../../cli/wrappers/lima", import.meta.url),
);

/** The line that marks the README's quick-start block; the fenced block must follow it. */
export const QUICK_START_MARKER = "<!-- quick-start:";

/** What the test can run: a command line of plain words, no quotes, variables or pipes. */
const PLAIN_COMMAND = /^[A-Za-z0-9_./=:,@+-]+( +[A-Za-z0-9_./=:,@+-]+)*$/;

/**
 * The commands of MARKDOWN's quick-start block, each split into words: the ```sh block right
 * after the marker, without blank lines, `#` comment lines and trailing ` # …` comments. Throws
 * when the marker or the block is missing, or a line is not a plain `limactl`/`lima` command.
 */
export function quickStartCommands(markdown: string): string[][] {
  const at = markdown.indexOf(QUICK_START_MARKER);
  if (at < 0) throw new Error(`README.md has no ${QUICK_START_MARKER} marker`);
  const rest = markdown.slice(markdown.indexOf("\n", at) + 1);
  const block = /^\s*```sh\n([\s\S]*?)^```\s*$/m.exec(rest);
  if (!block || block.index !== 0) {
    throw new Error("the quick-start marker is not followed by a ```sh block");
  }
  const commands: string[][] = [];
  for (const raw of block[1].split("\n")) {
    const line = raw.replace(/(^|\s+)#.*$/, "").trim();
    if (line === "") continue;
    if (!PLAIN_COMMAND.test(line)) {
      throw new Error(`quick-start line is not a plain command: ${raw}`);
    }
    const words = line.split(/ +/);
    if (words[0] !== "limactl" && words[0] !== "lima") {
      throw new Error(`quick-start line runs neither limactl nor lima: ${raw}`);
    }
    commands.push(words);
  }
  return commands;
}

/** `--set` for `limactl start`: boot the cached test guest instead of downloading Ubuntu. */
function testGuestFlags(image: GuestImage): string[] {
  const images = [{
    location: image.disk,
    arch: "x86_64",
    kernel: {
      location: image.kernel,
      arch: "x86_64",
      cmdline: "root=/dev/vda ro console=ttyS0",
    },
    initrd: { location: image.initrd, arch: "x86_64" },
  }];
  const set = [
    `.images = ${JSON.stringify(images)}`,
    ".firmware.legacyBIOS = true",
    ".mounts = []",
    ".containerd.system = false",
    ".containerd.user = false",
    ".cpus = 2",
    '.memory = "1GiB"',
    '.disk = "4GiB"',
  ].join(" | ");
  return ["--set", set, "--timeout", BOOT_TIMEOUT];
}

Deno.test("the quick-start block is found and only runs limactl and lima", () => {
  const md = [
    "text",
    `${QUICK_START_MARKER} x -->`,
    "```sh",
    "# a comment",
    "limactl start          # boots",
    "",
    "lima uname -a",
    "```",
    "```sh",
    "not this",
    "```",
  ].join("\n");
  assert.deepEqual(quickStartCommands(md), [
    ["limactl", "start"],
    ["lima", "uname", "-a"],
  ]);
  assert.throws(() => quickStartCommands("no marker"), /no <!-- quick-start/);
  assert.throws(
    () =>
      quickStartCommands(
        `${QUICK_START_MARKER} -->\ntext\n\`\`\`sh\nlima\n\`\`\``,
      ),
    /not followed by/,
  );
  assert.throws(
    () =>
      quickStartCommands(
        `${QUICK_START_MARKER} -->\n\`\`\`sh\nrm -rf x\n\`\`\``,
      ),
    /neither limactl nor lima/,
  );
  assert.throws(
    () =>
      quickStartCommands(
        `${QUICK_START_MARKER} -->\n\`\`\`sh\nlima echo "$HOME"\n\`\`\``,
      ),
    /not a plain command/,
  );
});

Deno.test("every command of the README's quick start exists", async () => {
  const commands = quickStartCommands(await Deno.readTextFile(README));
  const lines = commands.map((words) => words.join(" "));
  assert.equal(lines[0]?.startsWith("limactl start"), true, lines.join("\n"));
  assert.ok(lines.includes("lima uname -a"), lines.join("\n"));
  for (const [tool, ...args] of commands) {
    // `--help` after the words: the command's help when it exists, an error when it does not.
    const out = await new Deno.Command(
      tool === "limactl" ? Deno.execPath() : LIMA_WRAPPER,
      {
        args: tool === "limactl"
          ? ["run", "-A", MAIN, ...args.slice(0, 1), "--help"]
          : ["--help"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      },
    ).output();
    assert.equal(
      out.code,
      0,
      `${tool} ${args[0] ?? ""} --help exited ${out.code}:\n${
        decoder.decode(out.stderr)
      }`,
    );
  }
});

Deno.test({
  name: "the README's quick start runs as written and prints Linux",
  ignore: skipVMTests,
}, async () => {
  const commands = quickStartCommands(await Deno.readTextFile(README));
  const image = await guestImage();
  await withLima(async (lima) => {
    let sawLinux = false;
    for (const words of commands) {
      const [tool, ...args] = words;
      const started = performance.now();
      const r = tool === "limactl"
        ? await lima.run(
          args[0] === "start" ? [...args, ...testGuestFlags(image)] : args,
        )
        : await lima.wrapper("lima", args);
      assert.equal(
        r.code,
        0,
        `${words.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`,
      );
      console.log(
        `  ${words.join(" ")}: ok after ${
          seconds(performance.now() - started)
        }`,
      );
      if (words.join(" ") === "lima uname -a") {
        assert.match(r.stdout, /^Linux /);
        sawLinux = true;
      }
    }
    assert.ok(sawLinux, "the quick start ran `lima uname -a`");
  });
});
