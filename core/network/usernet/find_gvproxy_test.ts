import assert from "node:assert/strict";
import { findGvproxy, gvproxyMissing } from "./find_gvproxy.ts";

Deno.test("gvproxy is found on PATH first, then in podman's helper directories; a file that cannot run is skipped", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const dir of ["bin", "libexec", "helper"]) {
      await Deno.mkdir(`${root}/${dir}`);
    }
    await Deno.writeTextFile(`${root}/bin/gvproxy`, "", { mode: 0o644 });
    await Deno.writeTextFile(`${root}/helper/gvproxy`, "", { mode: 0o755 });
    assert.equal(
      findGvproxy({ PATH: `${root}/bin` }, [
        `${root}/libexec`,
        `${root}/helper`,
      ]),
      `${root}/helper/gvproxy`,
    );
    await Deno.chmod(`${root}/bin/gvproxy`, 0o755);
    assert.equal(
      findGvproxy({ PATH: `${root}/bin` }, [`${root}/helper`]),
      `${root}/bin/gvproxy`,
    );
    assert.equal(
      findGvproxy({ PATH: "" }, [`${root}/libexec`]),
      undefined,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a missing gvproxy names the network and how to install it", () => {
  const err = gvproxyMissing("user-v2");
  assert.match(err.message, /network `user-v2` \(mode user-v2\) needs gvproxy/);
  assert.match(
    err.message,
    /go install github\.com\/containers\/gvisor-tap-vsock\/cmd\/gvproxy@v0\.8\.9/,
  );
});
