/**
 * Every template of Lima's upstream corpus validates (Lima's CI runs `limactl validate` on them,
 * `.github/workflows/test.yml`), except the cases the corpus README lists, which must fail for the
 * documented reason.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fillTemplate } from "../../core/template/validate.ts";
import "../use_builtin_drivers.ts";

const CORPUS =
  new URL("../../../shared/lima-templates/", import.meta.url).pathname;

/** Templates that are not expected to validate, and a fragment of the error each gives. */
const EXCEPTIONS: Record<string, string> = {
  // Not a template: the default mount list, without images.
  "_default/mounts.yaml": "images",
  // Uses the `fedora-rawhide:` scheme that needs a URL plugin with network access.
  "experimental/fedora-rawhide.yaml": "fedora-rawhide",
  // Test playbook for the ansible provisioning mode, not a lima.yaml.
  "_hack-test-templates/hack/ansible-test.yaml": "",
};

function corpusFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = join(dir, entry.name);
      if (Deno.statSync(path).isDirectory) walk(path);
      else if (entry.name.endsWith(".yaml")) files.push(relative(CORPUS, path));
    }
  };
  walk(CORPUS);
  return files.filter((f) => !f.startsWith("_images/")).sort();
}

Deno.test("every corpus template validates, except the listed ones", async (t) => {
  Deno.env.set("LIMA_TEMPLATES_PATH", CORPUS);
  Deno.env.set("LIMA_HOME", await Deno.makeTempDir());
  const cwd = Deno.cwd();
  try {
    for (const file of corpusFiles()) {
      if (file.startsWith("_hack-test-templates/hack/")) continue;
      await t.step(file, async () => {
        // test-misc.yaml refers to its playbook relative to the working directory.
        Deno.chdir(
          join(
            CORPUS,
            file.startsWith("_hack-test-templates/")
              ? "_hack-test-templates"
              : ".",
          ),
        );
        const locator = join(CORPUS, file);
        if (file in EXCEPTIONS) {
          await assert.rejects(fillTemplate(locator), (err: Error) => {
            assert.match(err.message, new RegExp(EXCEPTIONS[file]));
            return true;
          });
        } else {
          const filled = await fillTemplate(locator);
          assert.ok(
            filled.config.images && filled.config.images.length > 0,
            "images are filled",
          );
        }
      });
    }
  } finally {
    Deno.chdir(cwd);
    Deno.env.delete("LIMA_TEMPLATES_PATH");
  }
});
