/**
 * Lima's own templates (shared/lima-templates) as a compatibility corpus: `base: FILE` reproduces
 * FILE byte for byte (as Lima's `hack/test-templates.sh` checks), and every template embeds
 * completely.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { withEnv } from "./_test_utils.ts";
import { embedTemplate } from "./embed.ts";
import { readTemplate } from "./locator.ts";
import { readLocalBytes } from "../config/read_file.ts";

const CORPUS = "/work/shared/lima-templates";

/**
 * Needs the `limactl-url-fedora-rawhide` plugin (it looks up the newest image online), so
 * neither embedding works offline; the corpus README says to skip it.
 */
const NEEDS_URL_PLUGIN = new Set(["experimental/fedora-rawhide.yaml"]);

/** Top-level and `experimental/` templates, as paths relative to the corpus. */
function corpusTemplates(): string[] {
  const names: string[] = [];
  for (const dir of ["", "experimental/"]) {
    for (const entry of Deno.readDirSync(join(CORPUS, dir))) {
      if (entry.name.endsWith(".yaml")) names.push(dir + entry.name);
    }
  }
  assert.ok(names.length > 60, "the corpus is where it should be");
  return names.sort();
}

function corpusEnv<T>(fn: () => Promise<T>): Promise<T> {
  return withEnv({ LIMA_TEMPLATES_PATH: CORPUS }, fn);
}

Deno.test("`base: FILE` embeds to FILE byte for byte for every corpus template", async () => {
  await corpusEnv(async () => {
    const differing: string[] = [];
    for (const name of corpusTemplates()) {
      if (NEEDS_URL_PLUGIN.has(name)) continue;
      const file = join(CORPUS, name);
      // Aliases are links: their content is the target's.
      const expected = new TextDecoder().decode(await readLocalBytes(file));
      const result = await embedTemplate(
        { name: "", locator: "-", text: `base: ${file}` },
        { embedAll: false, defaultBase: false },
      );
      if (result.text !== expected) differing.push(name);
    }
    assert.deepEqual(differing, []);
  });
});

Deno.test("every corpus template embeds completely", async () => {
  await corpusEnv(async () => {
    for (const name of corpusTemplates()) {
      if (NEEDS_URL_PLUGIN.has(name)) continue;
      const locator = `template:${name.replace(/\.yaml$/, "")}`;
      const result = await embedTemplate(await readTemplate(locator), {
        embedAll: true,
        defaultBase: false,
      });
      const config = parse(result.text);
      assert.equal(config.base, undefined, `${locator} has no bases left`);
      assert.ok(config.images?.length > 0, `${locator} has images`);
    }
  });
});

Deno.test("the fedora-rawhide template fails only on its custom locator scheme", async () => {
  await corpusEnv(async () => {
    const tmpl = await readTemplate("template:experimental/fedora-rawhide");
    await assert.rejects(
      embedTemplate(tmpl, { embedAll: true, defaultBase: false }),
      /"fedora-rawhide:_images\/fedora-rawhide".*limactl-url-fedora-rawhide/,
    );
  });
});

Deno.test("the integration test template combines its home mount with the default one", async () => {
  await corpusEnv(async () => {
    const tmpl = await readTemplate(
      join(CORPUS, "_hack-test-templates", "test-misc.yaml"),
    );
    assert.equal(tmpl.name, "test-misc");
    const config = parse(
      (await embedTemplate(tmpl, { embedAll: true, defaultBase: false })).text,
    );
    assert.deepEqual(config.mounts, [
      { location: "~", writable: true },
      { location: "/tmp/lima test dir with spaces", writable: true },
    ]);
    assert.deepEqual(config.mountTypesUnsupported, ["9p"]);
    assert.equal(config.provision[0].playbook, "./hack/ansible-test.yaml");
    assert.deepEqual(config.additionalDisks, ["data", {
      name: "swap",
      format: true,
      fsType: "swap",
    }]);
  });
});
