/** The built-in template set (templates/) works as `template:NAME` with no search path set up. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { builtinTemplates } from "../../templates/mod.ts";
import { withEnv, withFiles } from "./_test_utils.ts";
import { embedTemplate } from "./embed.ts";
import { readTemplate } from "./locator.ts";
import { listTemplates } from "./search_path.ts";

function withBuiltins<T>(fn: () => Promise<T>): Promise<T> {
  return withFiles(
    {},
    (home) => withEnv({ LIMA_HOME: home, LIMA_TEMPLATES_PATH: undefined }, fn),
  );
}

const userFacing = Object.keys(builtinTemplates).filter((name) =>
  !name.startsWith("_")
);

Deno.test("the built-in set has the expected templates", () => {
  for (
    const name of [
      "default",
      "ubuntu",
      "ubuntu-lts",
      "ubuntu-24.04",
      "debian",
      "debian-12",
      "_default/mounts",
      "_images/ubuntu-24.04",
      "_images/debian-12",
    ]
  ) {
    assert.ok(Object.hasOwn(builtinTemplates, name), name);
  }
});

Deno.test("every built-in template starts with a comment header", () => {
  for (const [name, text] of Object.entries(builtinTemplates)) {
    assert.match(text, /^# \S/, name);
  }
});

Deno.test("every user-facing built-in template embeds to images and the home mount", async () => {
  await withBuiltins(async () => {
    for (const name of userFacing) {
      const tmpl = await readTemplate(`template:${name}`);
      const config = parse(
        (await embedTemplate(tmpl, { embedAll: true, defaultBase: false }))
          .text,
      );
      assert.equal(config.base, undefined, name);
      assert.ok(config.images.length > 0, name);
      assert.ok(
        config.images.every((i: { location: string }) =>
          /^https:\/\//.test(i.location)
        ),
        name,
      );
      assert.deepEqual(config.mounts, [{ location: "~" }], name);
      assert.equal(config.minimumLimaVersion, "2.0.0", name);
    }
  });
});

Deno.test("the default template is Ubuntu 24.04 LTS", async () => {
  await withBuiltins(async () => {
    const tmpl = await readTemplate("template:default");
    const config = parse(
      (await embedTemplate(tmpl, { embedAll: true, defaultBase: false })).text,
    );
    assert.ok(
      config.images.some((i: { location: string }) =>
        i.location.includes("ubuntu-24.04")
      ),
    );
  });
});

Deno.test("aliases resolve to the release they name", async () => {
  await withBuiltins(async () => {
    const embedAll = async (locator: string) =>
      (await embedTemplate(await readTemplate(locator), {
        embedAll: true,
        defaultBase: false,
      }))
        .text;
    assert.equal(
      await embedAll("template:ubuntu"),
      await embedAll("template:ubuntu-24.04"),
    );
    assert.equal(
      await embedAll("template:ubuntu-lts"),
      await embedAll("template:ubuntu-24.04"),
    );
    assert.equal(
      await embedAll("template:debian"),
      await embedAll("template:debian-12"),
    );
    const debian = parse(await embedAll("template:debian"));
    assert.deepEqual(debian.mountTypesUnsupported, ["9p"]);
  });
});

Deno.test("the template list offers the built-ins but not their building blocks", async () => {
  await withBuiltins(async () => {
    const names = (await listTemplates()).map((t) => t.name);
    assert.deepEqual(names, [...userFacing].sort());
  });
});
