import assert from "node:assert/strict";
import { join } from "node:path";
import { builtinTemplates } from "../../templates/mod.ts";
import { withEnv, withFiles } from "./_test_utils.ts";
import {
  listTemplates,
  readStoredTemplate,
  templateFileName,
  templateSearchPath,
} from "./search_path.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("LIMA_TEMPLATES_PATH replaces the search path", async () => {
  await withEnv({ LIMA_TEMPLATES_PATH: "/a::/b/c" }, () => {
    assert.deepEqual(templateSearchPath(), ["/a", "/b/c"]);
  });
});

Deno.test("without LIMA_TEMPLATES_PATH the user templates directory comes first", async () => {
  await withFiles({}, async (home) => {
    await withEnv(
      { LIMA_TEMPLATES_PATH: undefined, LIMA_HOME: home },
      async () => {
        assert.deepEqual(templateSearchPath(), [
          join(await Deno.realPath(home), "_templates"),
        ]);
      },
    );
  });
});

Deno.test("an empty LIMA_TEMPLATES_PATH counts as unset", async () => {
  await withFiles({}, async (home) => {
    await withEnv({ LIMA_TEMPLATES_PATH: "", LIMA_HOME: home }, async () => {
      assert.deepEqual(templateSearchPath(), [
        join(await Deno.realPath(home), "_templates"),
      ]);
      const found = await readStoredTemplate("default");
      assert.equal(text(found.bytes), builtinTemplates["default"]);
    });
  });
});

Deno.test("template names get .yaml unless they already have a real extension", () => {
  assert.equal(templateFileName("docker"), "docker.yaml");
  assert.equal(templateFileName("ubuntu-24.04"), "ubuntu-24.04.yaml");
  assert.equal(templateFileName("_images/ubuntu"), "_images/ubuntu.yaml");
  assert.equal(templateFileName("foo.yml"), "foo.yml");
  assert.equal(templateFileName("foo.yaml"), "foo.yaml");
});

Deno.test("template names with .. are rejected", async () => {
  assert.throws(() => templateFileName("../secret"), /must not contain "\.\."/);
  await assert.rejects(
    readStoredTemplate("_images/../../etc/passwd"),
    /must not contain/,
  );
});

Deno.test("the first directory holding a template wins, then the built-in set", async () => {
  await withFiles({
    "one/docker.yaml": "images: []\n# one\n",
    "home/_templates/docker.yaml": "# user\n",
    "home/_templates/default.yaml": "# user default\n",
  }, async (dir) => {
    await withEnv({
      LIMA_TEMPLATES_PATH: undefined,
      LIMA_HOME: join(dir, "home"),
    }, async () => {
      const user = await readStoredTemplate("docker");
      assert.equal(text(user.bytes), "# user\n");
      assert.equal(
        text((await readStoredTemplate("default")).bytes),
        "# user default\n",
      );
      const builtin = await readStoredTemplate("ubuntu-24.04");
      assert.equal(text(builtin.bytes), builtinTemplates["ubuntu-24.04"]);
      assert.equal(builtin.location, "builtin:ubuntu-24.04.yaml");
    });
    await withEnv({
      LIMA_TEMPLATES_PATH: `${join(dir, "missing")}:${join(dir, "one")}`,
    }, async () => {
      const found = await readStoredTemplate("docker");
      assert.equal(text(found.bytes), "images: []\n# one\n");
      assert.equal(found.location, join(dir, "one", "docker.yaml"));
      // LIMA_TEMPLATES_PATH replaces the whole path, built-ins included.
      await assert.rejects(
        readStoredTemplate("default"),
        /template "default" not found/,
      );
    });
  });
});

Deno.test("symbolic links and link files (a file holding a sibling's name) are followed", async () => {
  await withFiles({
    "t/ubuntu-26.04.yaml": "images: [{location: /x.img}]\n",
    "t/ubuntu.yaml": "ubuntu-26.04.yaml",
    "t/opensuse.yaml": "ubuntu.yaml",
    "t/_images/fedora.yaml": "fedora-44.yaml",
    "t/_images/fedora-44.yaml": "images: []\n",
  }, async (dir) => {
    await Deno.symlink("ubuntu-26.04.yaml", join(dir, "t", "real-link.yaml"));
    await withEnv({ LIMA_TEMPLATES_PATH: join(dir, "t") }, async () => {
      for (const name of ["ubuntu", "opensuse", "real-link"]) {
        assert.equal(
          text((await readStoredTemplate(name)).bytes),
          "images: [{location: /x.img}]\n",
        );
      }
      assert.equal(
        text((await readStoredTemplate("_images/fedora")).bytes),
        "images: []\n",
      );
    });
  });
});

Deno.test("the list is sorted, de-duplicated and hides internal templates", async () => {
  await withFiles({
    "a/docker.yaml": "",
    "a/experimental/rke2.yaml": "",
    "a/_images/ubuntu.yaml": "",
    "a/_default/mounts.yaml": "",
    "a/.hidden.yaml": "",
    "a/notes.txt": "",
    "b/docker.yaml": "",
    "b/alpine.yaml": "",
  }, async (dir) => {
    await withEnv({
      LIMA_TEMPLATES_PATH: `${join(dir, "a")}:${join(dir, "b")}`,
    }, async () => {
      assert.deepEqual(await listTemplates(), [
        { name: "alpine", location: join(dir, "b", "alpine.yaml") },
        { name: "docker", location: join(dir, "a", "docker.yaml") },
        {
          name: "experimental/rke2",
          location: join(dir, "a", "experimental", "rke2.yaml"),
        },
      ]);
    });
  });
});

Deno.test("the built-in set is listed after user templates", async () => {
  await withFiles(
    { "_templates/mine.yaml": "", "_templates/default.yaml": "" },
    async (home) => {
      await withEnv(
        { LIMA_TEMPLATES_PATH: undefined, LIMA_HOME: home },
        async () => {
          const list = await listTemplates();
          const names = list.map((t) => t.name);
          assert.deepEqual(names, [...names].sort());
          assert.ok(names.includes("mine"));
          assert.ok(names.includes("ubuntu-24.04"));
          assert.ok(!names.some((n) => n.startsWith("_")));
          const def = list.find((t) => t.name === "default");
          assert.equal(
            def?.location,
            join(await Deno.realPath(home), "_templates", "default.yaml"),
          );
          assert.equal(
            list.find((t) => t.name === "debian")?.location,
            "builtin:debian.yaml",
          );
        },
      );
    },
  );
});
