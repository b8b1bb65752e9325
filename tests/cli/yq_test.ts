/** `limactl yq` as scripts call it, and the same program started under the name yq. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { limactlExpect, tempLimaHome } from "./helpers.ts";

const limaHome = await tempLimaHome();
const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

Deno.test("yq true prints one result per document, with no separator, as mikefarah yq does", async () => {
  const { stdout } = await limactlExpect(0, ["yq", "true"], {
    limaHome,
    stdin: "a: 1\n---\nb: 2\n",
  });
  assert.equal(stdout, "true\ntrue\n");
});

Deno.test("yq reads a .json file as a stream of pretty-printed values and prints JSON", async () => {
  await Deno.writeTextFile(
    `${limaHome}/s.json`,
    '{\n  "a": 1\n}\n{\n  "a": 2\n}\n',
  );
  const { stdout } = await limactlExpect(0, ["yq", ".", "s.json"], {
    limaHome,
  });
  assert.equal(stdout, '{\n  "a": 1\n}\n{\n  "a": 2\n}\n');
  const yaml = await limactlExpect(0, ["yq", "-p", "json", ".a"], {
    limaHome,
    stdin: '{\n  "a": 1\n}\n{"a": 2}\n',
  });
  assert.equal(yaml.stdout, "1\n---\n2\n");
});

Deno.test("a program named yq answers --version as mikefarah yq", async () => {
  // bash's `exec -a` sets argv[0], as a link named yq (or yq.lima.exe) would.
  for (const name of ["yq", "/usr/local/bin/yq.lima.exe"]) {
    const out = await new Deno.Command("bash", {
      args: [
        "-c",
        `exec -a "$1" "$2" run -A "$3" --version`,
        "bash",
        name,
        Deno.execPath(),
        MAIN,
      ],
      env: { LIMA_HOME: limaHome },
    }).output();
    assert.equal(
      new TextDecoder().decode(out.stdout),
      "yq (https://github.com/mikefarah/yq/) version v4.53.3\n",
    );
  }
});
