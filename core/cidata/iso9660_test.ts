import assert from "node:assert/strict";
import { buildIso, type IsoFile } from "./iso9660.ts";
import { LimaError } from "../errors.ts";

const SECTOR = 2048;
const text = new TextEncoder();
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

interface Entry {
  /** Rock Ridge path. */
  path: string;
  /** Plain ISO 9660 identifier. */
  isoName: string;
  isDir: boolean;
  mode: number;
  links: number;
  extent: number;
  size: number;
  data: Uint8Array;
}

interface Record {
  length: number;
  extent: number;
  size: number;
  isDir: boolean;
  identifier: Uint8Array;
  systemUse: Map<string, Uint8Array>;
  systemUseOrder: string[];
}

function u32le(image: Uint8Array, at: number): number {
  return new DataView(image.buffer, image.byteOffset).getUint32(at, true);
}

function u32be(image: Uint8Array, at: number): number {
  return new DataView(image.buffer, image.byteOffset).getUint32(at, false);
}

function bothEndian32(image: Uint8Array, at: number): number {
  const le = u32le(image, at);
  assert.equal(u32be(image, at + 4), le, `both-endian value at ${at}`);
  return le;
}

function parseRecord(image: Uint8Array, at: number): Record {
  const length = image[at];
  const idLength = image[at + 32];
  const identifier = image.subarray(at + 33, at + 33 + idLength);
  const suStart = at + 33 + idLength + (idLength % 2 === 0 ? 1 : 0);
  const systemUse = new Map<string, Uint8Array>();
  const systemUseOrder: string[] = [];
  for (let p = suStart; p + 4 <= at + length && image[p] !== 0;) {
    const sig = decode(image.subarray(p, p + 2));
    const len = image[p + 2];
    assert.ok(len >= 4, `SUSP entry ${sig} has a length`);
    assert.equal(image[p + 3], 1, `SUSP entry ${sig} version`);
    systemUse.set(sig, image.subarray(p + 4, p + len));
    systemUseOrder.push(sig);
    p += len;
  }
  return {
    length,
    extent: bothEndian32(image, at + 2),
    size: bothEndian32(image, at + 10),
    isDir: (image[at + 25] & 2) !== 0,
    identifier,
    systemUse,
    systemUseOrder,
  };
}

/** Every record of a directory extent; records never cross sector boundaries. */
function directoryRecords(image: Uint8Array, extent: number, size: number) {
  assert.equal(size % SECTOR, 0, "directory size is whole sectors");
  const records: Record[] = [];
  for (let s = 0; s < size / SECTOR; s++) {
    const base = (extent + s) * SECTOR;
    for (let at = base; at < base + SECTOR && image[at] !== 0;) {
      const record = parseRecord(image, at);
      assert.ok(at + record.length <= base + SECTOR, "record crosses a sector");
      assert.equal(record.length % 2, 0, "record length is even");
      records.push(record);
      at += record.length;
    }
  }
  return records;
}

function px(record: Record): { mode: number; links: number } {
  const body = record.systemUse.get("PX");
  assert.ok(body, "record has a Rock Ridge PX entry");
  return { mode: bothEndian32(body, 0), links: bothEndian32(body, 8) };
}

/** A minimal independent reader: walks the tree from the primary volume descriptor. */
function readIso(image: Uint8Array): Entry[] {
  const root = parseRecord(image, 16 * SECTOR + 156);
  const entries: Entry[] = [];
  const walk = (extent: number, size: number, prefix: string) => {
    const records = directoryRecords(image, extent, size);
    assert.deepEqual([...records[0].identifier], [0], "first record is .");
    assert.deepEqual([...records[1].identifier], [1], "second record is ..");
    for (const record of records.slice(2)) {
      const nm = record.systemUse.get("NM");
      assert.ok(nm, "record has a Rock Ridge NM entry");
      assert.equal(nm[0], 0, "NM flags");
      const path = prefix + decode(nm.subarray(1));
      const { mode, links } = px(record);
      entries.push({
        path,
        isoName: decode(record.identifier),
        isDir: record.isDir,
        mode,
        links,
        extent: record.extent,
        size: record.size,
        data: image.slice(
          record.extent * SECTOR,
          record.extent * SECTOR + record.size,
        ),
      });
      if (record.isDir) walk(record.extent, record.size, `${path}/`);
    }
  };
  walk(root.extent, root.size, "");
  return entries;
}

const date = new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 160));

const seed: IsoFile[] = [
  { path: "user-data", data: text.encode("#cloud-config\nusers: []\n") },
  { path: "meta-data", data: text.encode("instance-id: iid-1\n") },
  { path: "network-config", data: text.encode("version: 2\n") },
  { path: "lima.env", data: text.encode("LIMA_CIDATA_NAME=default\n") },
  { path: "boot.sh", data: text.encode("#!/bin/sh\nexit 0\n"), mode: 0o755 },
  {
    path: "boot.essential.Linux/00-alpine-user-group.sh",
    data: text.encode("#!/bin/sh\n"),
    mode: 0o700,
  },
  {
    path: "provision.system/00000000",
    data: text.encode("#!/bin/sh\n"),
    mode: 0o755,
  },
  {
    path: "provision.system/00000001",
    data: text.encode("#!/bin/bash\n"),
    mode: 0o755,
  },
  { path: "empty", data: new Uint8Array(0) },
];

Deno.test("primary volume descriptor carries the label and the volume size", () => {
  const image = buildIso(seed, { volumeLabel: "cidata", date });
  assert.equal(image.length % SECTOR, 0);
  assert.ok(image.subarray(0, 16 * SECTOR).every((b) => b === 0));
  const pvd = image.subarray(16 * SECTOR, 17 * SECTOR);
  assert.equal(pvd[0], 1);
  assert.equal(decode(pvd.subarray(1, 6)), "CD001");
  assert.equal(pvd[6], 1);
  assert.equal(decode(pvd.subarray(40, 72)), "cidata".padEnd(32, " "));
  assert.equal(bothEndian32(pvd, 80), image.length / SECTOR);
  assert.equal(u32le(pvd, 128) & 0xffff, SECTOR);
  assert.equal(decode(pvd.subarray(813, 829)), "2024022913141516");
  assert.equal(decode(pvd.subarray(830, 846)), "2024022913141516");
  assert.equal(pvd[881], 1);
  const term = image.subarray(17 * SECTOR, 18 * SECTOR);
  assert.equal(term[0], 255);
  assert.equal(decode(term.subarray(1, 6)), "CD001");
});

Deno.test("root directory announces SUSP and Rock Ridge", () => {
  const image = buildIso(seed, { volumeLabel: "cidata", date });
  const root = parseRecord(image, 16 * SECTOR + 156);
  assert.equal(root.length, 34);
  assert.ok(root.isDir);
  const [self] = directoryRecords(image, root.extent, root.size);
  assert.equal(self.systemUseOrder[0], "SP", "SP is the first entry");
  assert.deepEqual([...self.systemUse.get("SP")!], [0xbe, 0xef, 0]);
  const er = self.systemUse.get("ER")!;
  assert.equal(decode(er.subarray(4, 4 + er[0])), "RRIP_1991A");
  assert.equal(px(self).mode, 0o040755);
  assert.equal(self.extent, root.extent);
});

Deno.test("files keep their names, contents and modes", () => {
  const image = buildIso(seed, { volumeLabel: "cidata", date });
  const entries = readIso(image);
  const files = entries.filter((e) => !e.isDir);
  assert.deepEqual(
    files.map((e) => e.path).sort(),
    seed.map((f) => f.path).sort(),
  );
  for (const file of seed) {
    const entry = files.find((e) => e.path === file.path)!;
    assert.equal(decode(entry.data), decode(file.data), file.path);
    assert.equal(entry.mode, 0o100000 | (file.mode ?? 0o644), file.path);
    assert.equal(entry.links, 1);
  }
  const dirs = entries.filter((e) => e.isDir);
  assert.deepEqual(
    dirs.map((e) => e.path).sort(),
    ["boot.essential.Linux", "provision.system"],
  );
  for (const dir of dirs) assert.equal(dir.mode, 0o040755);
});

Deno.test("plain ISO 9660 names are unique upper-case 8.3 names", () => {
  const files = [
    ...seed,
    { path: "user-data.json", data: text.encode("{}") },
    { path: "user-data2", data: text.encode("2") },
    { path: "USER_DATA", data: text.encode("3") },
  ];
  const entries = readIso(buildIso(files, { volumeLabel: "cidata", date }));
  const seen = new Set<string>();
  for (const e of entries) {
    const pattern = e.isDir
      ? /^[A-Z0-9_]{1,8}$/
      : /^[A-Z0-9_]{1,8}\.[A-Z0-9_]{0,3};1$/;
    assert.match(e.isoName, pattern, e.path);
    const dir = e.path.slice(0, e.path.lastIndexOf("/") + 1);
    assert.ok(!seen.has(dir + e.isoName), `${e.isoName} is unique`);
    seen.add(dir + e.isoName);
  }
  assert.equal(entries.filter((e) => !e.isDir).length, files.length);
});

Deno.test("large directories span sectors and large files stay intact", () => {
  const big = new Uint8Array(5 * 1024 * 1024 + 123);
  for (let i = 0; i < big.length; i++) big[i] = (i * 131 + 7) & 0xff;
  const files: IsoFile[] = [{ path: "nerdctl-full.tgz", data: big }];
  for (let i = 0; i < 300; i++) {
    files.push({
      path: `provision.data/${String(i).padStart(8, "0")}-with-a-long-name`,
      data: text.encode(`data ${i}\n`),
    });
  }
  const image = buildIso(files, { volumeLabel: "cidata", date });
  const entries = readIso(image);
  const dir = entries.find((e) => e.path === "provision.data")!;
  assert.ok(dir.size > SECTOR, "the directory needs more than one sector");
  for (let i = 0; i < 300; i++) {
    const name = `provision.data/${
      String(i).padStart(8, "0")
    }-with-a-long-name`;
    assert.equal(
      decode(entries.find((e) => e.path === name)!.data),
      `data ${i}\n`,
    );
  }
  const tgz = entries.find((e) => e.path === "nerdctl-full.tgz")!;
  assert.equal(tgz.size, big.length);
  assert.ok(tgz.data.every((b, i) => b === big[i]), "large file intact");
});

Deno.test("path tables list every directory in both byte orders", () => {
  const files: IsoFile[] = [
    { path: "a/b/c/file", data: text.encode("x") },
    { path: "a/z/file", data: text.encode("y") },
    { path: "d/file", data: text.encode("z") },
  ];
  const image = buildIso(files, { volumeLabel: "cidata", date });
  const pvd = image.subarray(16 * SECTOR);
  const size = bothEndian32(pvd, 132);
  const parse = (at: number, little: boolean) => {
    const view = new DataView(image.buffer, at, size);
    const rows: { id: string; extent: number; parent: number }[] = [];
    for (let p = 0; p < size;) {
      const len = view.getUint8(p);
      rows.push({
        id: decode(image.subarray(at + p + 8, at + p + 8 + len)),
        extent: view.getUint32(p + 2, little),
        parent: view.getUint16(p + 6, little),
      });
      p += 8 + len + (len % 2);
    }
    return rows;
  };
  const l = parse(u32le(pvd, 140) * SECTOR, true);
  const m = parse(u32be(pvd, 148) * SECTOR, false);
  assert.deepEqual(l, m);
  assert.deepEqual(l.map((r) => [r.id, r.parent]), [
    ["\0", 1],
    ["A", 1],
    ["D", 1],
    ["B", 2],
    ["Z", 2],
    ["C", 4],
  ]);
  const dirs = readIso(image).filter((e) => e.isDir);
  for (const row of l.slice(1)) {
    assert.ok(dirs.some((d) => d.extent === row.extent), row.id);
  }
  const a = readIso(image).find((e) => e.path === "a")!;
  assert.equal(
    a.links,
    4,
    "a directory links to . , .. and its subdirectories",
  );
});

Deno.test("bad input is rejected with a clear error", () => {
  const f = (path: string): IsoFile => ({ path, data: new Uint8Array(1) });
  const cases: [IsoFile[], string, RegExp][] = [
    [[f("a"), f("a")], "cidata", /Duplicate path.*a is given more than once/],
    [[f("a"), f("a/b")], "cidata", /Conflicting paths.*a is both/],
    [[f("a/b"), f("a")], "cidata", /Duplicate path/],
    [[f("/etc/passwd")], "cidata", /Invalid path/],
    [[f("a//b")], "cidata", /Invalid path/],
    [[f("../x")], "cidata", /Invalid path/],
    [[f("1/2/3/4/5/6/7/8/x")], "cidata", /Path too deep/],
    [[f("x".repeat(200))], "cidata", /File name too long.*x{200}/],
    [[{ path: "x", data: new Uint8Array(), mode: 0o10000 }], "cidata", /mode/],
    [[f("x")], "", /volume label/],
    [[f("x")], "a".repeat(33), /volume label/],
  ];
  for (const [files, label, message] of cases) {
    assert.throws(
      () => buildIso(files, { volumeLabel: label }),
      (err: unknown) => err instanceof LimaError && message.test(err.message),
      `${files.map((x) => x.path)} ${label}`,
    );
  }
  assert.ok(
    readIso(buildIso([f("1/2/3/4/5/6/7/x")], { volumeLabel: "cidata" }))
      .some((e) => e.path === "1/2/3/4/5/6/7/x"),
    "seven directory levels are allowed",
  );
  assert.ok(
    readIso(buildIso([f("n".repeat(150))], { volumeLabel: "cidata" }))
      .some((e) => e.path === "n".repeat(150)),
    "150-byte names fit",
  );
});

/** Runs a command; undefined when it is not installed. */
async function run(cmd: string, args: string[]) {
  try {
    const out = await new Deno.Command(cmd, { args, stdin: "null" }).output();
    return {
      code: out.code,
      stdout: decode(out.stdout),
      stderr: decode(out.stderr),
    };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

const hasXorriso = await run("xorriso", ["-version"]) !== undefined;

Deno.test({
  name: "xorriso reads the image: names, modes and bytes",
  // Outside CI a missing reader skips the test; in CI it is a failure.
  ignore: !hasXorriso && Deno.env.get("CI") !== "true",
}, async () => {
  assert.ok(hasXorriso, "xorriso is not installed (Debian package xorriso)");
  const dir = await Deno.makeTempDir();
  try {
    const big = new Uint8Array(3_000_001).map((_, i) => (i * 7) & 0xff);
    const files = [...seed, { path: "sub/dir/big.bin", data: big }];
    const iso = `${dir}/cidata.iso`;
    await Deno.writeFile(iso, buildIso(files, { volumeLabel: "cidata" }));
    // Any warning about the image's structure makes xorriso exit non-zero.
    const strict = ["-abort_on", "FAILURE", "-return_with", "WARNING", "32"];
    const listing = await run("xorriso", [
      ...strict,
      "-indev",
      iso,
      "-pvd_info",
      "-find",
      "/",
      "-exec",
      "lsdl",
      "--",
    ]);
    assert.ok(listing);
    assert.equal(listing.code, 0, listing.stderr);
    assert.match(listing.stdout, /Volume Id\s*:\s*cidata\b/);
    assert.match(listing.stdout, /^-rwxr-xr-x .* '\/boot\.sh'$/m);
    assert.match(
      listing.stdout,
      /^-rwx------ .* '\/boot\.essential\.Linux\/00-alpine-user-group\.sh'$/m,
    );
    assert.match(
      listing.stdout,
      /^-rw-r--r-- .* 3000001 .* '\/sub\/dir\/big\.bin'$/m,
    );
    const out = `${dir}/out`;
    const extract = await run("xorriso", [
      ...strict,
      "-osirrox",
      "on",
      "-indev",
      iso,
      "-extract",
      "/",
      out,
    ]);
    assert.ok(extract);
    assert.equal(extract.code, 0, extract.stderr);
    for (const file of files) {
      const path = `${out}/${file.path}`;
      assert.deepEqual(await Deno.readFile(path), file.data, file.path);
      assert.equal(
        (await Deno.stat(path)).mode! & 0o7777,
        file.mode ?? 0o644,
        file.path,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
