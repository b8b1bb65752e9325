/**
 * The built-in template set (templates/) as users meet it: every template and alias goes
 * through the same read → embed → fill → validate pipeline as `limactl validate`, images
 * are pinned by digest, aliases give what they name, container engine templates forward
 * their sockets, and the list commands and `template:` locators find everything.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { builtinTemplates } from "../../templates/mod.ts";
import type { LimaYAML } from "../config/schema.ts";
import { parseGoTemplate } from "../text_template/mod.ts";
import { limactlExpect } from "../../tests/cli/helpers.ts";
import { captureLog, withEnv, withFiles } from "./_test_utils.ts";
import { embedTemplate } from "./embed.ts";
import { readTemplate } from "./locator.ts";
import { fillTemplate } from "./validate.ts";
import "../../tests/use_builtin_drivers.ts";

const TEMPLATES_DIR = fileURLToPath(
  new URL("../../templates/", import.meta.url),
);

const names = Object.keys(builtinTemplates).sort();
const internal = (name: string) =>
  name.split("/").some((segment) => segment.startsWith("_"));
const userFacing = names.filter((name) => !internal(name));

/**
 * Building blocks that are not instances on their own: they carry no `images`, so
 * validation rightly refuses them.
 */
const WITHOUT_IMAGES = new Set(["_default/mounts"]);

/**
 * Templates whose images cannot be pinned by digest, and why. Everywhere else an image
 * without a digest must follow a pinned one for the same arch and variant (the undated
 * "latest" build, used once the dated build has been deleted upstream).
 */
const UNPINNED_IMAGES: Record<string, string> = {
  "experimental/ubuntu-26.10":
    "development release: only daily builds exist, replaced every day",
  "experimental/ubuntu-next":
    "alias of experimental/ubuntu-26.10, the development release",
  "experimental/debian-sid":
    "unstable is only published as daily builds, replaced every day",
};

/** What each alias stands for; every alias in the set must be listed here. */
const ALIASES: Record<string, string> = {
  "ubuntu": "ubuntu-26.04",
  "ubuntu-lts": "ubuntu-26.04",
  "debian": "debian-13",
  "fedora": "fedora-44",
  "alpine": "alpine-3.23",
  "experimental/ubuntu-next": "experimental/ubuntu-26.10",
  "_images/ubuntu": "_images/ubuntu-26.04",
  "_images/ubuntu-lts": "_images/ubuntu-26.04",
  "_images/debian": "_images/debian-13",
  "_images/fedora": "_images/fedora-44",
};

/** Container engine templates: the socket file each one forwards into INSTDIR/sock/. */
const ENGINE_SOCKETS: Record<string, string> = {
  "docker": "docker.sock",
  "docker-rootful": "docker.sock",
  "docker-debian": "docker.sock",
  "podman": "podman.sock",
  "podman-rootful": "podman.sock",
};

function withBuiltins<T>(fn: (home: string) => Promise<T>): Promise<T> {
  return withFiles(
    {},
    (home) =>
      withEnv(
        { LIMA_HOME: home, LIMA_TEMPLATES_PATH: undefined },
        () => fn(home),
      ),
  );
}

async function embedded(locator: string): Promise<string> {
  const read = await readTemplate(locator);
  return (await embedTemplate(read, { embedAll: true, defaultBase: false }))
    .text;
}

/** The filled configuration of template NAME, failing on any warning logged on the way. */
async function fill(name: string): Promise<LimaYAML> {
  const { lines, result } = await captureLog(() =>
    fillTemplate(`template:${name}`)
  );
  assert.deepEqual(lines, [], `template:${name} logs nothing while filling`);
  return result.config;
}

function templateFiles(dir = TEMPLATES_DIR, prefix = ""): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const rel = prefix + entry.name;
    if (entry.isDirectory) {
      found.push(...templateFiles(`${dir}${entry.name}/`, `${rel}/`));
    } else if (entry.name.endsWith(".yaml")) {
      found.push(rel.slice(0, -".yaml".length));
    } else {
      assert.ok(
        entry.isFile && ["mod.ts", "README.md"].includes(rel),
        `unexpected entry ${rel}`,
      );
    }
  }
  return found.sort();
}

Deno.test("templates/mod.ts embeds every YAML file of templates/ with its exact text", () => {
  assert.deepEqual(names, templateFiles());
  for (const name of names) {
    assert.equal(
      builtinTemplates[name],
      Deno.readTextFileSync(`${TEMPLATES_DIR}${name}.yaml`),
      name,
    );
  }
});

Deno.test("every built-in file starts with a comment saying what it is", () => {
  for (const name of names) {
    assert.match(builtinTemplates[name], /^# \S/, name);
  }
});

Deno.test("the set has the distributions, engines and clusters users ask for", () => {
  for (
    const name of [
      "default",
      "ubuntu-22.04",
      "ubuntu-24.04",
      "ubuntu-25.10",
      "ubuntu-26.04",
      "ubuntu",
      "ubuntu-lts",
      "debian-11",
      "debian-12",
      "debian-13",
      "debian",
      "fedora",
      "alpine",
      "archlinux",
      "docker",
      "docker-rootful",
      "docker-debian",
      "podman",
      "podman-rootful",
      "k3s",
      "k8s",
    ]
  ) {
    assert.ok(names.includes(name), `template:${name} is built in`);
  }
  assert.ok(names.some((name) => name.startsWith("experimental/")));
});

Deno.test("every built-in template and alias validates through the fill pipeline", async () => {
  await withBuiltins(async () => {
    for (const name of names) {
      if (WITHOUT_IMAGES.has(name)) {
        await assert.rejects(
          fillTemplate(`template:${name}`),
          /field `images` must be set/,
        );
        continue;
      }
      const config = await fill(name);
      assert.ok((config.images ?? []).length > 0, name);
      if (!internal(name)) {
        assert.match(config.minimumLimaVersion ?? "", /^\d+\.\d+\.\d+$/, name);
      }
      // A Go template error leaves the text unrendered (with a warning).
      const guestTexts = [
        ...(config.provision ?? []).map((p) => p.script ?? p.expression ?? ""),
        ...(config.probes ?? []).map((p) => p.script ?? ""),
        ...(config.portForwards ?? []).map((r) => r.guestSocket ?? ""),
        ...(config.portForwards ?? []).map((r) => r.hostSocket ?? ""),
      ];
      for (const text of guestTexts) {
        assert.doesNotMatch(text, /{{/, `${name}: ${text}`);
      }
    }
  });
});

Deno.test("Go templates in scripts and messages render with and without parameters", async () => {
  await withBuiltins(async () => {
    for (const name of userFacing) {
      const doc = parse(await embedded(`template:${name}`)) as LimaYAML;
      const defaults = Object.entries(doc.param ?? {});
      for (
        const param of [
          new Map(defaults),
          new Map(defaults.map(([key]) => [key, "set"])),
        ]
      ) {
        const guest = {
          Name: name,
          Hostname: `lima-${name}`,
          UID: "1000",
          User: "user",
          Home: "/home/user.guest",
          Param: param,
        };
        const texts = [
          ...(doc.provision ?? []).flatMap((p) => [
            p.script,
            p.expression,
            p.path,
            p.owner,
          ]),
          ...(doc.probes ?? []).map((p) => p.script),
          ...(doc.copyToHost ?? []).map((c) => c.guest),
        ];
        // Plain objects make an unknown field an error; a missing param key renders
        // as "<no value>".
        const rendered = texts.filter((text) =>
          text !== undefined && text !== null
        )
          .map((text) => parseGoTemplate(text).execute(guest));
        if (doc.message) {
          rendered.push(
            parseGoTemplate(doc.message).execute({
              Name: name,
              Dir: `/lima/${name}`,
              HostOS: "linux",
              HostArch: "amd64",
              Param: param,
            }),
          );
        }
        for (const text of rendered) {
          assert.doesNotMatch(text, /<no value>/, `${name}: ${text}`);
        }
      }
    }
  });
});

Deno.test("every image is pinned by digest, follows a pinned one, or has a listed reason", async () => {
  await withBuiltins(async () => {
    const unpinned: string[] = [];
    for (const name of names) {
      if (WITHOUT_IMAGES.has(name)) continue;
      const pinned = new Set<string>();
      for (const image of (await fill(name)).images ?? []) {
        const key = `${image.arch}/${image.variant ?? ""}/${
          image.archVariant ?? ""
        }`;
        if (image.digest) pinned.add(key);
        else if (!pinned.has(key)) unpinned.push(name);
      }
    }
    assert.deepEqual(
      [...new Set(unpinned)].sort(),
      Object.keys(UNPINNED_IMAGES).sort(),
    );
  });
});

Deno.test("aliases are one-line bases that give exactly the template they name", async () => {
  const found = names.filter((name) => {
    const doc = parse(builtinTemplates[name]);
    return Object.keys(doc).length === 1 && typeof doc.base === "string";
  });
  assert.deepEqual(found, Object.keys(ALIASES).sort());
  await withBuiltins(async () => {
    for (const [alias, target] of Object.entries(ALIASES)) {
      assert.equal(parse(builtinTemplates[alias]).base, `template:${target}`);
      assert.equal(
        await embedded(`template:${alias}`),
        await embedded(`template:${target}`),
        alias,
      );
    }
  });
});

Deno.test("the default template is the Ubuntu LTS release with rootless containerd", async () => {
  await withBuiltins(async () => {
    const config = await fill("default");
    assert.deepEqual(config.images, (await fill("ubuntu-lts")).images);
    assert.deepEqual(config.containerd?.user, true);
    assert.deepEqual(config.containerd?.system, false);
    assert.deepEqual(config.mounts?.map((m) => m.location), [
      Deno.env.get("HOME"),
    ]);
  });
});

Deno.test("container engine templates forward their socket and say how to use it", async () => {
  await withBuiltins(async (home) => {
    for (const [name, socket] of Object.entries(ENGINE_SOCKETS)) {
      const config = await fill(name);
      assert.equal(config.containerd?.user, false, name);
      assert.equal(config.containerd?.system, false, name);
      const sockets = (config.portForwards ?? []).filter((r) => r.hostSocket);
      assert.equal(sockets.length, 1, name);
      assert.equal(
        sockets[0].hostSocket,
        `${home}/${name}.yaml/sock/${socket}`,
      );
      assert.match(sockets[0].guestSocket ?? "", /^\/(var\/)?run\//, name);
      assert.ok((config.probes ?? []).length > 0, `${name} has a probe`);
      assert.match(
        builtinTemplates[name],
        new RegExp(
          `export \\w+_HOST=.*unix://\\{\\{\\.Dir\\}\\}/sock/${socket}`,
        ),
      );
      const doc = parse(builtinTemplates[name]) as LimaYAML;
      assert.ok(doc.message?.includes(`unix://{{.Dir}}/sock/${socket}`), name);
      if (socket === "docker.sock") {
        assert.match(doc.message ?? "", /DOCKER_HOST=/, name);
      }
    }
  });
});

Deno.test("docker-debian installs the engine from Debian's own packages", async () => {
  await withBuiltins(async () => {
    const config = await fill("docker-debian");
    assert.ok(
      (config.images ?? []).every((i) =>
        i.location?.startsWith("https://cloud.debian.org/")
      ),
    );
    // Continued lines joined, so that a command reads as one line.
    const scripts = (config.provision ?? []).map((p) => p.script ?? "").join(
      "\n",
    ).replaceAll(/\\\n\s*/g, " ");
    assert.match(scripts, /apt-get [^\n]*install [^\n]*\bdocker\.io\b/);
    assert.doesNotMatch(scripts, /get\.docker\.com|download\.docker\.com/);
    const docker = (await fill("docker")).provision ?? [];
    assert.ok(docker.some((p) => p.script?.includes("get.docker.com")));
  });
});

Deno.test("template:NAME and template://NAME find every built-in template", async () => {
  await withBuiltins(async () => {
    for (const name of userFacing) {
      const plain = await readTemplate(`template:${name}`);
      const { lines, result: legacy } = await captureLog(() =>
        readTemplate(`template://${name}`)
      );
      assert.equal(legacy.text, builtinTemplates[name]);
      assert.equal(plain.text, builtinTemplates[name]);
      assert.equal(legacy.name, plain.name);
      assert.equal(plain.name, name.split("/").pop());
      assert.ok(
        lines.some((line) => line.includes("should be written")),
        `template://${name} warns`,
      );
    }
  });
});

Deno.test("template list and --list-templates show the set without building blocks", async () => {
  await withFiles({}, async (limaHome) => {
    const options = { limaHome, env: { LIMA_TEMPLATES_PATH: "" } };
    for (
      const args of [
        ["template", "list"],
        ["create", "--list-templates"],
        ["start", "--list-templates"],
      ]
    ) {
      const { stdout } = await limactlExpect(0, args, options);
      assert.deepEqual(stdout.trim().split("\n"), userFacing, args.join(" "));
    }
  });
});
