import assert from "node:assert/strict";
import { join } from "node:path";
import { parse, parseDocument } from "yaml";
import { captureLog, withEnv, withFiles } from "./_test_utils.ts";
import { type EmbedOptions, embedTemplate } from "./embed.ts";
import { readTemplate, type Template } from "./locator.ts";
import { MAX_TEMPLATE_BYTES } from "../config/read_file.ts";

const EMBED: EmbedOptions = { embedAll: false, defaultBase: false };
const EMBED_ALL: EmbedOptions = { embedAll: true, defaultBase: false };

/** Embeds the template file NAME inside DIR. */
async function embedFile(
  dir: string,
  name: string,
  options = EMBED,
): Promise<Template> {
  return await embedTemplate(await readTemplate(join(dir, name)), options);
}

async function embedded(files: Record<string, string>, options = EMBED) {
  return await withFiles(
    files,
    async (dir) => parse((await embedFile(dir, "t.yaml", options)).text),
  );
}

Deno.test("fields missing in the template come from the base; the template's own win", async () => {
  const result = await embedded({
    "t.yaml":
      "base: ./base.yaml\ncpus: 2\ncontainerd:\n  user: false\nenv:\n  A: mine\n",
    "base.yaml":
      "cpus: 4\nmemory: 2GiB\ncontainerd:\n  system: true\n  user: true\nenv:\n  A: base\n  B: base\n",
  });
  assert.deepEqual(result, {
    cpus: 2,
    containerd: { user: false, system: true },
    env: { A: "mine", B: "base" },
    memory: "2GiB",
  });
});

Deno.test("lists are appended, but base, provision and probes entries of the base go first", async () => {
  const result = await embedded({
    "t.yaml": `base: [./b1.yaml, ./b2.yaml]
images: [{location: /t.img}]
containerd: {archives: [{location: /t.tgz}]}
provision: [{mode: system, script: t}]
probes: [{script: t}]
`,
    "b1.yaml": `images: [{location: /b1.img}]
containerd: {archives: [{location: /b1.tgz}]}
provision: [{mode: system, script: b1}]
probes: [{script: b1}]
`,
    "b2.yaml": `images: [{location: /b2.img}]
provision: [{mode: system, script: b2}]
probes: [{script: b2}]
portForwards: [{guestPort: 80}]
`,
  });
  assert.deepEqual(result.images.map((i: { location: string }) => i.location), [
    "/t.img",
    "/b1.img",
    "/b2.img",
  ]);
  assert.deepEqual(result.containerd.archives, [{ location: "/t.tgz" }, {
    location: "/b1.tgz",
  }]);
  assert.deepEqual(result.provision.map((p: { script: string }) => p.script), [
    "b2",
    "b1",
    "t",
  ]);
  assert.deepEqual(result.probes.map((p: { script: string }) => p.script), [
    "b2",
    "b1",
    "t",
  ]);
  assert.deepEqual(result.portForwards, [{ guestPort: 80 }]);
  assert.equal(result.base, undefined);
});

Deno.test("a nested base is resolved against its own template and embedded first", async () => {
  const result = await embedded({
    "t.yaml": "base: sub/mid.yaml\nprovision: [{mode: system, script: t}]\n",
    "sub/mid.yaml":
      "base: ./leaf.yaml\nprovision: [{mode: system, script: mid}]\ncpus: 3\n",
    "sub/leaf.yaml":
      "provision: [{mode: system, script: leaf}]\ncpus: 1\nmemory: 1GiB\n",
  });
  assert.deepEqual(result, {
    provision: [
      { mode: "system", script: "leaf" },
      { mode: "system", script: "mid" },
      { mode: "system", script: "t" },
    ],
    cpus: 3,
    memory: "1GiB",
  });
});

Deno.test("the base's dns list only counts when the template has none", async () => {
  const base = "dns: [8.8.8.8]\n";
  assert.deepEqual(
    (await embedded({
      "t.yaml": "base: ./b.yaml\ndns: [1.1.1.1]\n",
      "b.yaml": base,
    })).dns,
    ["1.1.1.1"],
  );
  assert.deepEqual(
    (await embedded({ "t.yaml": "base: ./b.yaml\ncpus: 1\n", "b.yaml": base }))
      .dns,
    ["8.8.8.8"],
  );
});

Deno.test("mountTypesUnsupported entries are made unique", async () => {
  const result = await embedded({
    "t.yaml": "base: ./b.yaml\nmountTypesUnsupported: [9p]\n",
    "b.yaml": "mountTypesUnsupported: [virtiofs, 9p]\n",
  });
  assert.deepEqual(result.mountTypesUnsupported, ["9p", "virtiofs"]);
});

Deno.test("version minimums keep the higher of the two", async () => {
  const higherBase = await embedded({
    "t.yaml":
      "base: ./b.yaml\nminimumLimaVersion: 1.1.0\nvmOpts: {qemu: {minimumVersion: 9.2.0}}\n",
    "b.yaml":
      "minimumLimaVersion: 2.0.0\nvmOpts: {qemu: {minimumVersion: 10.0.0}}\n",
  });
  assert.equal(higherBase.minimumLimaVersion, "2.0.0");
  assert.equal(higherBase.vmOpts.qemu.minimumVersion, "10.0.0");
  const higherTemplate = await embedded({
    "t.yaml":
      "base: ./b.yaml\nminimumLimaVersion: 2.10.0\nvmOpts: {qemu: {minimumVersion: 10.1.0}}\n",
    "b.yaml":
      "minimumLimaVersion: 2.9.0\nvmOpts: {qemu: {minimumVersion: 8.0.0}}\n",
  });
  assert.equal(higherTemplate.minimumLimaVersion, "2.10.0");
  assert.equal(higherTemplate.vmOpts.qemu.minimumVersion, "10.1.0");
});

Deno.test("comments of the template and of fields taken from the base are kept", async () => {
  await withFiles({
    "t.yaml":
      "# My template\n\nbase: ./b.yaml\n# CPU count\ncpus: 2 # two\nimages:\n- location: /t.img\n",
    "b.yaml":
      "# base header\ncpus: 8\n# Memory comes from the base\nmemory: 1GiB # one\n# base images\nimages:\n- location: /b.img # fallback\n",
  }, async (dir) => {
    const text = (await embedFile(dir, "t.yaml")).text;
    for (
      const comment of [
        "# CPU count",
        "# two",
        "# Memory comes from the base",
        "# one",
        "# fallback",
      ]
    ) {
      assert.ok(text.includes(comment), `${comment} in:\n${text}`);
    }
    assert.equal(parseDocument(text).errors.length, 0);
  });
});

Deno.test("a template that only names one base becomes that base's text exactly", async () => {
  const base =
    "# Header\n\n\n# odd   spacing\nimages:\n    -   location: /x.img   # kept\nmounts: [ {location: '~'} ]\n";
  await withFiles({ "b.yaml": base }, async (dir) => {
    for (
      const text of [
        `base: ${dir}/b.yaml`,
        `base: [${dir}/b.yaml]\n`,
        `# note\nbase: ${dir}/b.yaml\n`,
      ]
    ) {
      const out = await embedTemplate({ name: "", locator: "-", text }, EMBED);
      assert.equal(out.text, base, text);
    }
  });
});

Deno.test("a base included twice is reported as a loop", async () => {
  await withFiles({
    "t.yaml": "base: ./a.yaml\n",
    "a.yaml": "base: ./b.yaml\n",
    "b.yaml": "base: ./a.yaml\n",
  }, async (dir) => {
    await assert.rejects(
      embedFile(dir, "t.yaml"),
      new RegExp(
        `base template loop detected: template "${dir}/a.yaml" already included`,
      ),
    );
  });
});

Deno.test("bases with a digest are refused", async () => {
  await withFiles({
    "t.yaml": "base: [{url: ./b.yaml, digest: 'sha256:0000'}]\n",
    "b.yaml": "cpus: 1\n",
  }, async (dir) => {
    await assert.rejects(
      embedFile(dir, "t.yaml"),
      /has specified a digest: digest support is not yet implemented/,
    );
  });
});

Deno.test("template: bases stay references unless embedding everything", async () => {
  await withFiles({
    "store/_images/x.yaml": "images: [{location: /x.img}]\n",
    "t.yaml": "base: [./local.yaml, template:_images/x]\ncpus: 1\n",
    "local.yaml": "memory: 1GiB\n",
    "bad.yaml": "base: [template:_images/x, ./local.yaml]\n",
  }, async (dir) => {
    await withEnv({ LIMA_TEMPLATES_PATH: join(dir, "store") }, async () => {
      const some = parse((await embedFile(dir, "t.yaml")).text);
      assert.deepEqual(some, {
        base: ["template:_images/x"],
        cpus: 1,
        memory: "1GiB",
      });
      const all = parse((await embedFile(dir, "t.yaml", EMBED_ALL)).text);
      assert.deepEqual(all, {
        cpus: 1,
        memory: "1GiB",
        images: [{ location: "/x.img" }],
      });
      await assert.rejects(
        embedFile(dir, "bad.yaml"),
        new RegExp(
          `cannot embed template "${dir}/local.yaml" after not embedding "template:_images/x"`,
        ),
      );
    });
  });
});

Deno.test("_config/base.yaml is prepended only when asked for", async () => {
  await withFiles({
    "home/_config/base.yaml":
      "cpus: 7\nprovision: [{mode: system, script: site}]\n",
    "t.yaml": "base: ./b.yaml\nprovision: [{mode: system, script: t}]\n",
    "b.yaml": "cpus: 3\nmemory: 1GiB\n",
  }, async (dir) => {
    await withEnv({ LIMA_HOME: join(dir, "home") }, async () => {
      const withDefault = parse(
        (await embedFile(dir, "t.yaml", { embedAll: false, defaultBase: true }))
          .text,
      );
      assert.equal(withDefault.cpus, 7);
      assert.equal(withDefault.memory, "1GiB");
      assert.deepEqual(
        withDefault.provision.map((p: { script: string }) => p.script),
        ["site", "t"],
      );
      const without = parse((await embedFile(dir, "t.yaml")).text);
      assert.equal(without.cpus, 3);
    });
  });
});

Deno.test("file: references become script, content or expression", async () => {
  await withFiles({
    "t.yaml": `provision:
- mode: system
  file: scripts/setup.sh
- mode: data
  path: /etc/x.conf
  file: {url: data.txt}
- mode: yq
  path: /etc/x.json
  file: expr.yq
- mode: user
  script: "echo kept"
  file: scripts/setup.sh
probes:
- description: ready
  file: scripts/probe.sh
`,
    "scripts/setup.sh": "#!/bin/sh\necho setup\n",
    "scripts/probe.sh": "#!/bin/sh\ntrue\n",
    "data.txt": "key = value\n",
    "expr.yq": ".a = 1",
  }, async (dir) => {
    const result = parse((await embedFile(dir, "t.yaml")).text);
    assert.deepEqual(result.provision, [
      { mode: "system", script: "#!/bin/sh\necho setup\n" },
      { mode: "data", path: "/etc/x.conf", content: "key = value\n" },
      { mode: "yq", path: "/etc/x.json", expression: ".a = 1" },
      { mode: "user", script: "echo kept", file: `${dir}/scripts/setup.sh` },
    ]);
    assert.deepEqual(result.probes, [{
      description: "ready",
      script: "#!/bin/sh\ntrue\n",
    }]);
  });
});

Deno.test("template: files are embedded only when embedding everything", async () => {
  await withFiles({
    "store/s.sh": "echo from store\n",
    "t.yaml": "provision:\n- mode: system\n  file: template:s.sh\n",
  }, async (dir) => {
    await withEnv({ LIMA_TEMPLATES_PATH: join(dir, "store") }, async () => {
      assert.deepEqual(parse((await embedFile(dir, "t.yaml")).text).provision, [
        { mode: "system", file: "template:s.sh" },
      ]);
      assert.deepEqual(
        parse((await embedFile(dir, "t.yaml", EMBED_ALL)).text).provision,
        [
          { mode: "system", script: "echo from store\n" },
        ],
      );
    });
  });
});

Deno.test("binary files and very long lines are embedded as !!binary base64", async () => {
  const binary = new Uint8Array(200).map((_, i) => i);
  const longLine = "x".repeat(65000) + "\n";
  await withFiles({
    "t.yaml":
      "provision:\n- mode: data\n  path: /bin.dat\n  file: bin.dat\n- mode: system\n  file: long.sh\n",
    "long.sh": longLine,
  }, async (dir) => {
    await Deno.writeFile(join(dir, "bin.dat"), binary);
    const { lines, result } = await captureLog(() => embedFile(dir, "t.yaml"));
    assert.match(result.text, /content: !!binary \|\n/);
    const b64Lines = result.text.split("\n").filter((l) =>
      /^ {4}[A-Za-z0-9+/=]+$/.test(l)
    );
    assert.ok(b64Lines.length > 1 && b64Lines.every((l) => l.length <= 4 + 76));
    const provision = parse(result.text, { customTags: [] }).provision;
    assert.deepEqual(new Uint8Array(provision[0].content), binary);
    assert.equal(new TextDecoder().decode(provision[1].script), longLine);
    assert.equal(
      lines.filter((l) => l.includes("is being base64 encoded")).length,
      2,
    );
    assert.ok(lines.some((l) => l.includes("longer than 65000 characters")));
  });
});

Deno.test("text with a control character is embedded as !!binary", async () => {
  await withFiles({
    "t.yaml": "provision:\n- mode: system\n  file: s.sh\n",
    "s.sh": "echo \x1b[1mbold\n",
  }, async (dir) => {
    const { result } = await captureLog(() => embedFile(dir, "t.yaml"));
    assert.match(result.text, /script: !!binary/);
  });
});

Deno.test("disk entries with the same name are combined; * fills every earlier disk", async () => {
  const result = await embedded({
    "t.yaml": `base: ./b.yaml
additionalDisks:
- data
- name: scratch
  format: false
`,
    "b.yaml": `additionalDisks:
- name: data
  format: true
  fsType: xfs
- name: scratch
  fsType: btrfs
- name: "*"
  fsType: ext4
  fsArgs: [-L, lima]
`,
  });
  assert.deepEqual(result.additionalDisks, [
    { name: "data", format: true, fsType: "xfs", fsArgs: ["-L", "lima"] },
    { name: "scratch", format: false, fsType: "btrfs", fsArgs: ["-L", "lima"] },
  ]);
});

Deno.test("mounts combine by mount point (default: location), with both wildcard forms", async () => {
  const result = await embedded({
    "t.yaml": `base: [./b.yaml, ./wild.yaml]
mounts:
- location: "~"
  writable: true
- location: /srv/data
  mountPoint: /data
`,
    "b.yaml": `mounts:
- location: "~"
  writable: false
  sshfs: {cache: false}
- location: /elsewhere
  mountPoint: /data
  9p: {msize: 128KiB}
- location: /tmp/lima
`,
    "wild.yaml": `mounts:
- location: "*"
  writable: true
- location: anything
  mountPoint: "*"
  sshfs: {followSymlinks: true}
`,
  });
  assert.deepEqual(result.mounts, [
    {
      location: "~",
      writable: true,
      sshfs: { cache: false, followSymlinks: true },
    },
    {
      location: "/srv/data",
      mountPoint: "/data",
      "9p": { msize: "128KiB" },
      writable: true,
      sshfs: { followSymlinks: true },
    },
    { location: "/tmp/lima", writable: true, sshfs: { followSymlinks: true } },
  ]);
});

Deno.test("networks combine by interface; lima and socket exclude each other", async () => {
  const result = await embedded({
    "t.yaml": `base: ./b.yaml
networks:
- interface: lima0
  socket: /var/run/socket_vmnet
- interface: lima1
- lima: user-v2
`,
    "b.yaml": `networks:
- interface: lima0
  lima: shared
  metric: 50
- interface: lima1
  lima: bridged
  macAddress: "52:55:55:00:00:01"
- interface: "*"
  metric: 200
  vzNAT: true
`,
  });
  assert.deepEqual(result.networks, [
    {
      interface: "lima0",
      socket: "/var/run/socket_vmnet",
      metric: 50,
      vzNAT: true,
    },
    {
      interface: "lima1",
      lima: "bridged",
      macAddress: "52:55:55:00:00:01",
      metric: 200,
      vzNAT: true,
    },
    { lima: "user-v2", metric: 200, vzNAT: true },
  ]);
});

Deno.test("an embedding result over 4 MiB is refused", async () => {
  const half = (tag: string) =>
    `${tag}:\n` +
    `- "${"y".repeat(1000)}"\n`.repeat(
      Math.ceil(MAX_TEMPLATE_BYTES / 2 / 1000),
    );
  await withFiles({
    "t.yaml": "base: [./a.yaml, ./b.yaml]\ncpus: 1\n",
    "a.yaml": half("env1"),
    "b.yaml": half("env2"),
  }, async (dir) => {
    await assert.rejects(
      embedFile(dir, "t.yaml"),
      /embedding exceeded the size limit/,
    );
  });
});

Deno.test("a file: reference that cannot be read names its field", async () => {
  await withFiles({
    "t.yaml":
      "provision:\n- mode: system\n  script: true\n- mode: system\n  file: /dev/zero\n",
  }, async (dir) => {
    await assert.rejects(
      embedFile(dir, "t.yaml"),
      /^LimaError: failed to read "\/dev\/zero" \(field `provision\[1\]\.file`\): file "\/dev\/zero" exceeds the size limit/,
    );
  });
  await withFiles(
    { "t.yaml": "probes:\n- file: ./absent.sh\n" },
    async (dir) => {
      await assert.rejects(
        embedFile(dir, "t.yaml"),
        /failed to read "[^"]*\/absent\.sh" \(field `probes\[0\]\.file`\): no such file or directory/,
      );
    },
  );
});

Deno.test("templates that are not YAML mappings are rejected, naming the file", async () => {
  await withFiles(
    { "t.yaml": "base: ./b.yaml\n", "b.yaml": "- a\n- b\n" },
    async (dir) => {
      await assert.rejects(
        embedFile(dir, "t.yaml"),
        new RegExp(`failed to unmarshal YAML \\(${dir}/b.yaml\\)`),
      );
    },
  );
});

Deno.test("bases are embedded depth first", async () => {
  const result = await embedded({
    "t.yaml": "base: [./b1.yaml, {url: ./b2.yaml}]\nadditionalDisks: [disk0]\n",
    "b1.yaml": "base: ./b3.yaml\nadditionalDisks: [disk1]\n",
    "b2.yaml": "additionalDisks: [disk2]\n",
    "b3.yaml": "additionalDisks: [disk3]\n",
  });
  assert.deepEqual(result.additionalDisks, [
    "disk0",
    "disk1",
    "disk3",
    "disk2",
  ]);
});

Deno.test("a base's header comment goes with the first field taken from it", async () => {
  await withFiles({
    "t.yaml": "# Mine\ncpus: 1\nbase: ./b.yaml\n",
    "b.yaml":
      "# Images of the base\n\ncpus: 2\nimages: [{location: /b.img}]\n# closing remark\n",
  }, async (dir) => {
    const text = (await embedFile(dir, "t.yaml")).text;
    assert.match(text, /^# Mine\ncpus: 1\n/);
    assert.match(text, /# Images of the base\nimages:/);
    assert.match(text, /# closing remark\n$/);
  });
});

Deno.test("a comment on a file reference moves to the embedded script", async () => {
  await withFiles({
    "t.yaml": "provision:\n# run first\n- file: s.sh # from disk\n",
    "s.sh": "echo hi",
  }, async (dir) => {
    const text = (await embedFile(dir, "t.yaml")).text;
    assert.equal(
      text,
      "provision:\n# run first\n- script: |- # from disk\n    echo hi\n",
    );
  });
});
