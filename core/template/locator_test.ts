import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { LimaError } from "../errors.ts";
import { captureLog, withEnv, withFiles } from "./_test_utils.ts";
import { hostArch } from "../config/host.ts";
import { instanceNameFromPath, readTemplate, templateName } from "./locator.ts";
import { MAX_TEMPLATE_BYTES } from "../config/read_file.ts";

const corpus = "/work/shared/lima-templates";

/** Serves PATH → [status, body] on a loopback port for the duration of FN. */
async function withServer(
  routes: Record<string, [number, string | Uint8Array<ArrayBuffer>]>,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, (req) => {
    const route = routes[new URL(req.url).pathname];
    return route
      ? new Response(route[0] === 200 ? route[1] : null, { status: route[0] })
      : new Response(null, { status: 404 });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("template: locators read from the search path; the name is the base name", async () => {
  await withEnv({ LIMA_TEMPLATES_PATH: corpus }, async () => {
    const docker = await readTemplate("template:docker");
    assert.equal(docker.name, "docker");
    assert.equal(docker.locator, "template:docker");
    assert.equal(
      docker.text,
      await Deno.readTextFile(join(corpus, "docker.yaml")),
    );

    const ubuntu = await readTemplate("template:ubuntu-24.04");
    assert.equal(ubuntu.name, "ubuntu-24.04");

    const rke2 = await readTemplate("template:experimental/rke2");
    assert.equal(rke2.name, "rke2");

    // `debian.yaml` is an alias of `debian-13.yaml`.
    const debian = await readTemplate("template:debian");
    assert.equal(debian.name, "debian");
    assert.equal(
      debian.text,
      await Deno.readTextFile(join(corpus, "debian-13.yaml")),
    );
  });
});

Deno.test("template: names with .. are rejected, naming the locator", async () => {
  await assert.rejects(
    readTemplate("template:../etc/passwd"),
    (err: Error) =>
      err instanceof LimaError &&
      /template:\.\.\/etc\/passwd/.test(err.message),
  );
});

Deno.test("an unknown template name is an error naming the locator", async () => {
  await withEnv({ LIMA_TEMPLATES_PATH: corpus }, async () => {
    await assert.rejects(
      readTemplate("template:no-such"),
      /failed to read template "template:no-such": template "no-such" not found/,
    );
  });
});

Deno.test("template:// still works but warns about the spelling", async () => {
  await withEnv({ LIMA_TEMPLATES_PATH: corpus }, async () => {
    const { lines, result } = await captureLog(() =>
      readTemplate("template://alpine")
    );
    assert.equal(result.locator, "template:alpine");
    assert.equal(result.name, "alpine");
    assert.equal(lines.length, 1);
    assert.match(lines[0], /level=warning/);
    assert.match(
      lines[0],
      /Template locator \\"template:\/\/alpine\\" should be written \\"template:alpine\\" since Lima v2.0/,
    );
  });
});

Deno.test("the built-in templates are found when no search path is configured", async () => {
  await withFiles({}, async (home) => {
    await withEnv(
      { LIMA_TEMPLATES_PATH: undefined, LIMA_HOME: home },
      async () => {
        const tmpl = await readTemplate("template:default");
        assert.equal(tmpl.name, "default");
        assert.deepEqual(parse(tmpl.text).base, [
          "template:_images/ubuntu-lts",
          "template:_default/mounts",
        ]);
      },
    );
  });
});

Deno.test("http(s) locators are fetched; the name comes from the URL path", async () => {
  await withServer(
    { "/dir/My-Template.yaml": [200, "images: []\n"] },
    async (base) => {
      const tmpl = await readTemplate(`${base}/dir/My-Template.yaml?x=1`);
      assert.equal(tmpl.text, "images: []\n");
      assert.equal(tmpl.name, "my-template");
      assert.equal(tmpl.locator, `${base}/dir/My-Template.yaml?x=1`);
    },
  );
});

Deno.test("an http error status fails, naming the locator and the status", async () => {
  await withServer({}, async (base) => {
    await assert.rejects(
      readTemplate(`${base}/missing.yaml`),
      (err: Error) =>
        err.message.includes(`"${base}/missing.yaml"`) &&
        err.message.includes("404"),
    );
  });
});

Deno.test("http answers over 4 MiB are refused", async () => {
  const big = new Uint8Array(MAX_TEMPLATE_BYTES + 1).fill(0x23);
  const exact = new Uint8Array(MAX_TEMPLATE_BYTES).fill(0x23);
  await withServer(
    { "/big.yaml": [200, big], "/exact.yaml": [200, exact] },
    async (base) => {
      await assert.rejects(
        readTemplate(`${base}/big.yaml`),
        /exceeds the size limit/,
      );
      assert.equal(
        (await readTemplate(`${base}/exact.yaml`)).text.length,
        MAX_TEMPLATE_BYTES,
      );
    },
  );
});

Deno.test("local files over 4 MiB are refused", async () => {
  await withFiles({
    "big.yaml": new Uint8Array(MAX_TEMPLATE_BYTES + 1).fill(0x23),
  }, async (dir) => {
    await assert.rejects(
      readTemplate(join(dir, "big.yaml")),
      /exceeds the size limit/,
    );
  });
});

Deno.test("pipes and devices are read only up to the size limit", async () => {
  await assert.rejects(
    readTemplate("/dev/zero"),
    /file "\/dev\/zero" exceeds the size limit of 4194304 bytes/,
  );
  await withFiles({}, async (dir) => {
    const fifo = join(dir, "endless.yaml");
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    // The writer would go on for twice the limit: the reader stops it halfway.
    const writer = (async () => {
      const file = await Deno.open(fifo, { write: true });
      const chunk = new Uint8Array(64 * 1024).fill(0x23);
      try {
        for (let i = 0; i < (2 * MAX_TEMPLATE_BYTES) / chunk.length; i++) {
          await file.write(chunk);
        }
      } catch (err) {
        if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
      } finally {
        file.close();
      }
    })();
    await assert.rejects(
      readTemplate(fifo),
      /failed to read template ".*endless.yaml": .*exceeds the size limit/,
    );
    await writer;
  });
});

Deno.test("an http answer announcing more than 4 MiB is refused before its body arrives", async () => {
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, () =>
    new Response(
      // A body that never ends: only the announced length can refuse it.
      new ReadableStream({ start: (c) => c.enqueue(new Uint8Array(1)) }),
      { headers: { "content-length": String(MAX_TEMPLATE_BYTES + 1) } },
    ));
  try {
    await assert.rejects(
      readTemplate(`http://127.0.0.1:${server.addr.port}/big.yaml`),
      /the response from .* exceeds the size limit/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("invalid UTF-8 in a template is an error naming the line", async () => {
  const text = new TextEncoder().encode("cpus: 2\n# ok: é\nmessage: x");
  await withFiles({
    "bad.yaml": new Uint8Array([...text, 0xff, 0x0a, 0x23, 0x0a]),
  }, async (dir) => {
    await assert.rejects(
      readTemplate(join(dir, "bad.yaml")),
      /failed to read template ".*bad.yaml": the template is not valid UTF-8: line 3/,
    );
  });
});

Deno.test("file:// locators must be absolute", async () => {
  await withFiles({ "Foo.yml": "cpus: 2\n" }, async (dir) => {
    const tmpl = await readTemplate(`file://${dir}/Foo.yml`);
    assert.equal(tmpl.text, "cpus: 2\n");
    assert.equal(tmpl.name, "foo");
    assert.equal(tmpl.locator, `file://${dir}/Foo.yml`);
    await assert.rejects(
      readTemplate("file://Foo.yml"),
      /file URL "file:\/\/Foo.yml" is not an absolute path/,
    );
  });
});

Deno.test("local paths are made absolute and named after the file", async () => {
  await withFiles({ "sub/My.Test.yaml": "memory: 1GiB\n" }, async (dir) => {
    const cwd = Deno.cwd();
    Deno.chdir(dir);
    try {
      const tmpl = await readTemplate("sub/My.Test.yaml");
      assert.equal(
        tmpl.locator,
        join(await Deno.realPath(dir), "sub", "My.Test.yaml"),
      );
      assert.equal(tmpl.name, "my.test");
      assert.equal(tmpl.text, "memory: 1GiB\n");
    } finally {
      Deno.chdir(cwd);
    }
    await assert.rejects(
      readTemplate(join(dir, "absent.yaml")),
      /failed to read template ".*absent.yaml": no such file or directory/,
    );
  });
});

Deno.test("- reads stdin and leaves the name to the caller", async () => {
  const tmpl = await readTemplate("-", {
    stdin: () => Promise.resolve("cpus: 1\n"),
  });
  assert.deepEqual(tmpl, { name: "", locator: "-", text: "cpus: 1\n" });
});

Deno.test("image URLs become a synthesized template", async () => {
  const url =
    `https://example.com/alpine-3.22-${hostArch()}-uefi-cloudinit.qcow2`;
  const tmpl = await readTemplate(url);
  assert.equal(tmpl.name, "alpine-3.22");
  assert.deepEqual(parse(tmpl.text).images, [{
    location: url,
    arch: hostArch(),
  }]);
});

Deno.test("locators with an unhandled scheme point at the missing URL plugin", async () => {
  await assert.rejects(
    readTemplate("fedora-rawhide:_images/fedora-rawhide"),
    /limactl-url-fedora-rawhide/,
  );
});

Deno.test("name helpers", () => {
  assert.equal(templateName("template:foo/bar"), "foo/bar");
  assert.equal(templateName("template://foo/bar"), "foo/bar");
  assert.equal(templateName("https://x/template:y"), undefined);
  assert.equal(templateName("./template.yaml"), undefined);
  assert.equal(instanceNameFromPath("/a/B.YML"), "b");
  assert.equal(instanceNameFromPath("ubuntu-24.04.yaml"), "ubuntu-24.04");
});
