/** `limactl sudoers`: Lima's answer off macOS, its usage errors and help. */
import assert from "node:assert/strict";
import { exists } from "../../core/exists.ts";
import { assertFatal, limactlExpect, tempLimaHome } from "./helpers.ts";

const onMac = Deno.build.os === "darwin";

Deno.test({
  name: "limactl sudoers refuses off macOS, before reading networks.yaml",
  ignore: onMac,
  fn: async () => {
    const limaHome = await tempLimaHome();
    try {
      for (const args of [["sudoers"], ["sudoers", "--check"]]) {
        const r = await limactlExpect(1, args, { limaHome });
        assertFatal(
          r.stderr,
          "sudoers command is only supported on macOS right now",
        );
        assert.equal(r.stdout, "");
      }
      assert.equal(await exists(`${limaHome}/_config/networks.yaml`), false);
    } finally {
      await Deno.remove(limaHome, { recursive: true });
    }
  },
});

Deno.test("limactl sudoers takes at most one file, and says how to use it", async () => {
  const limaHome = await tempLimaHome();
  try {
    const r = await limactlExpect(1, ["sudoers", "a", "b"], { limaHome });
    assertFatal(
      r.stderr,
      "`limactl sudoers` accepts at most 1 arg(s), received 2",
    );
    const help = await limactlExpect(0, ["sudoers", "--help"], { limaHome });
    assert.match(
      help.stdout,
      /Usage:\n {2}limactl sudoers \[--check \[SUDOERSFILE-TO-CHECK\]\]/,
    );
    assert.match(
      help.stdout,
      // pflag takes the back-quoted path of Lima's usage as the name of the flag's value.
      /--check (\S*\/_config\/networks\.yaml) +check that the sudoers file is up-to-date with\s+\1\n/,
    );
    assert.match(
      help.stdout,
      /\$ limactl sudoers \| sudo tee \/etc\/sudoers.d\/lima/,
    );
    const top = await limactlExpect(0, ["--help"], { limaHome });
    assert.match(
      top.stdout,
      /\n {2}sudoers .* +Generate the content of the \/etc\/sudoers.d\/lima file\n/,
    );
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});
