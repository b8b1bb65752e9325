import assert from "node:assert/strict";
import { join } from "node:path";
import { scanPluginDirectories } from "./discover.ts";

async function write(path: string, text: string, mode = 0o755) {
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, mode);
}

Deno.test("plugins are executables named limactl-NAME, the first directory winning, sorted", async () => {
  const root = await Deno.makeTempDir({ prefix: "lima-plugins-" });
  try {
    const [a, b] = [join(root, "a"), join(root, "b")];
    await Deno.mkdir(a);
    await Deno.mkdir(b);
    await Deno.mkdir(join(a, "limactl-dir"));
    await write(
      join(a, "limactl-zed"),
      "#!/bin/sh\n# <limactl-desc>  Zed plugin </limactl-desc>\n",
    );
    await write(
      join(a, "limactl-plain"),
      "not a script <limactl-desc>no</limactl-desc>",
    );
    await write(join(a, "limactl-noexec"), "#!/bin/sh\n", 0o644);
    await write(join(a, "other-tool"), "#!/bin/sh\n");
    await write(
      join(b, "limactl-zed"),
      "#!/bin/sh\n# <limactl-desc>shadowed</limactl-desc>\n",
    );
    await write(join(b, "limactl-alpha"), "#!/bin/sh\n");
    assert.deepEqual(scanPluginDirectories([a, join(root, "missing"), b]), [
      { name: "alpha", path: join(b, "limactl-alpha") },
      { name: "plain", path: join(a, "limactl-plain") },
      { name: "zed", path: join(a, "limactl-zed"), description: "Zed plugin" },
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
