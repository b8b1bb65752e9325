import assert from "node:assert/strict";
import { homedir } from "node:os";
import { parse } from "yaml";
import {
  absoluteLocator,
  locatorDirectory,
  makeLocatorsAbsolute,
} from "./relative.ts";

Deno.test("the directory of a locator", () => {
  assert.equal(locatorDirectory("template:default"), "template:");
  assert.equal(
    locatorDirectory("template:experimental/rke2"),
    "template:experimental",
  );
  assert.equal(
    locatorDirectory("https://example.com/a/b/t.yaml?x=1"),
    "https://example.com/a/b",
  );
  assert.equal(locatorDirectory("file:///srv/t.yaml"), "file:///srv");
  assert.equal(locatorDirectory("/srv/lima/t.yaml"), "/srv/lima");
  assert.equal(locatorDirectory("-"), "-");
});

Deno.test("relative references join the directory of their template", () => {
  assert.equal(
    absoluteLocator("_images/ubuntu", "template:"),
    "template:_images/ubuntu",
  );
  assert.equal(
    absoluteLocator("./base.yaml", "template:experimental"),
    "template:experimental/base.yaml",
  );
  assert.equal(
    absoluteLocator("base.yaml", "https://example.com/a"),
    "https://example.com/a/base.yaml",
  );
  assert.equal(
    absoluteLocator("s/run.sh", "file:///srv"),
    "file:///srv/s/run.sh",
  );
  assert.equal(
    absoluteLocator("./s/run.sh", "/srv/lima"),
    "/srv/lima/s/run.sh",
  );
});

Deno.test("URLs, template: names and absolute paths are kept; ~ is expanded", () => {
  assert.equal(absoluteLocator("template:docker", "/srv"), "template:docker");
  assert.equal(absoluteLocator("https://x/y.yaml", "/srv"), "https://x/y.yaml");
  assert.equal(absoluteLocator("/etc//x/../y.yaml", "/srv"), "/etc/y.yaml");
  assert.equal(absoluteLocator("~/t.yaml", "/srv"), `${homedir()}/t.yaml`);
  assert.equal(absoluteLocator("~/t.yaml", "-"), `${homedir()}/t.yaml`);
});

Deno.test("relative references may not climb out, be empty, or come from stdin", () => {
  assert.throws(
    () => absoluteLocator("../x.yaml", "/srv"),
    /must not contain '\.\.' path segments/,
  );
  assert.throws(
    () => absoluteLocator("a/../../x.yaml", "template:"),
    /must not contain/,
  );
  assert.throws(
    () => absoluteLocator("x.yaml", "-"),
    /can't use relative paths when reading template from STDIN/,
  );
  assert.throws(() => absoluteLocator("", "/srv"), /locator is empty/);
});

Deno.test("template copy rewrites base, provision and probe files, keeping comments", () => {
  const text = `# my template
base:
- ./base.yaml   # local base
- template:_default/mounts
provision:
- mode: system
  file: scripts/setup.sh
- mode: data
  path: /etc/x
  file: {url: data.txt, digest: "sha256:00"}
probes:
- file: /abs/probe.sh
`;
  const out = makeLocatorsAbsolute({
    name: "t",
    locator: "/srv/lima/t.yaml",
    text,
  });
  assert.deepEqual(parse(out.text), {
    base: ["/srv/lima/base.yaml", "template:_default/mounts"],
    provision: [
      { mode: "system", file: "/srv/lima/scripts/setup.sh" },
      {
        mode: "data",
        path: "/etc/x",
        file: { url: "/srv/lima/data.txt", digest: "sha256:00" },
      },
    ],
    probes: [{ file: "/abs/probe.sh" }],
  });
  assert.match(out.text, /^# my template\n/);
  assert.match(out.text, /# local base/);
});

Deno.test("a single string base is rewritten in place", () => {
  const out = makeLocatorsAbsolute({
    name: "t",
    locator: "https://h/d/t.yaml",
    text: "base: b.yaml\n",
  });
  assert.equal(out.text, "base: https://h/d/b.yaml\n");
});

Deno.test("a template without relative references is returned unchanged", () => {
  const text = "base:   template:ubuntu  # odd spacing kept\n\n\n# end\n";
  const tmpl = { name: "t", locator: "/srv/t.yaml", text };
  assert.equal(makeLocatorsAbsolute(tmpl).text, text);
});

Deno.test("stdin templates may not use relative references", () => {
  assert.throws(
    () =>
      makeLocatorsAbsolute({
        name: "",
        locator: "-",
        text: "base: ./x.yaml\n",
      }),
    /can't use relative paths when reading template from STDIN/,
  );
});
