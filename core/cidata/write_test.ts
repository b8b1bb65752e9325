import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { IMAGES, seedOptions } from "./_test_config.ts";
import { seedContents } from "./seed.ts";
import { writeCidataISO } from "./write.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, `${cmd} ${args.join(" ")}: ${decode(out.stderr)}`);
  return decode(out.stdout) + decode(out.stderr);
}

async function walk(dir: string, base = dir): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) paths.push(...await walk(path, base));
    else paths.push(relative(base, path));
  }
  return paths.sort();
}

const CONFIG = IMAGES + [
  "mountType: 9p",
  "mounts: [{location: /srv/data, writable: true}]",
  "additionalDisks: [data]",
  "param: {GREETING: hello}",
  "env: {EDITOR: vim}",
  "provision:",
  "- {mode: system, script: 'echo $PARAM_GREETING'}",
  "- {mode: user, script: 'echo user'}",
  "- {mode: data, path: /etc/motd, content: welcome}",
].join("\n") + "\n";

Deno.test("writeCidataISO writes an ISO whose files read back identically, scripts executable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-cidata-" });
  try {
    const options = seedOptions(CONFIG, {
      instDir: dir,
      guestAgentBinary: new Uint8Array([0x7f, 0x45, 0x4c, 0x46]),
    });
    const expected = seedContents(options);
    const isoPath = await writeCidataISO(options);
    assert.equal(isoPath, join(dir, "cidata.iso"));

    assert.match(
      await run("xorriso", ["-indev", isoPath, "-pvd_info"]),
      /Volume Id\s*:\s*cidata\b/,
    );
    const out = join(dir, "extracted");
    await run("xorriso", [
      "-osirrox",
      "on",
      "-indev",
      isoPath,
      "-extract",
      "/",
      out,
    ]);

    const extracted = await walk(out);
    assert.deepEqual(extracted, expected.files.map((f) => f.path).sort());
    for (const file of expected.files) {
      const path = join(out, file.path);
      assert.deepEqual(
        await Deno.readFile(path),
        file.data,
        `${file.path} reads back identically`,
      );
      const mode = (await Deno.stat(path)).mode! & 0o777;
      const script = file.path.endsWith(".sh") ||
        /^provision\.(system|user)\/|^lima-guestagent$|^lima-init$/.test(
          file.path,
        );
      assert.equal(
        mode & 0o111,
        script ? 0o111 : 0,
        `${file.path} has mode ${mode.toString(8)}`,
      );
    }
    assert.ok(extracted.includes("boot.sh"));
    assert.ok(extracted.includes("provision.system/00000000"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeCidataISO writes cloud-config.yaml read-only, without mounts and resolv_conf", async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-cidata-" });
  try {
    const options = seedOptions(CONFIG, { instDir: dir });
    await writeCidataISO(options);
    // A second start replaces both files in place.
    await writeCidataISO(options);
    const path = join(dir, "cloud-config.yaml");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o444);
    const text = await Deno.readTextFile(path);
    assert.equal(text, seedContents(options).cloudConfig);
    assert.ok(text.startsWith("#cloud-config\n"));
    const doc = parse(text, { version: "1.1" }) as Record<string, unknown>;
    assert.equal(doc.mounts, undefined);
    assert.equal(doc.resolv_conf, undefined);
    assert.deepEqual((doc.users as { name: string }[]).map((u) => u.name), [
      "alice",
    ]);
    assert.deepEqual((await walk(dir)).sort(), [
      "cidata.iso",
      "cloud-config.yaml",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeCidataISO writes nothing when the seed cannot be made", async () => {
  const dir = await Deno.makeTempDir({ prefix: "limactl-cidata-" });
  try {
    await assert.rejects(
      writeCidataISO(seedOptions(CONFIG, { instDir: dir, sshPublicKeys: [] })),
      /no SSH key was found/,
    );
    assert.deepEqual(await walk(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
