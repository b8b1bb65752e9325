/**
 * The time zone reaches the guest through the seed and `boot.Linux/01-timezone.sh`, also on
 * guests without time zone data. The script runs for real in a mount namespace with empty
 * /etc and /usr/share/zoneinfo, so the host's files stay untouched (root and unshare needed).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { canIsolate, isolated } from "./_isolated.ts";
import { IMAGES, seedOptions } from "./_test_config.ts";
import { BOOT_FILES } from "./boot/mod.ts";
import { seedFiles } from "./seed.ts";
import { timezoneFiles } from "./timezone.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);
/** A version 1 TZif file with one local time type: UTC+9, named JST. */
const TOKYO = new Uint8Array([
  ...new TextEncoder().encode("TZif"),
  ...new Array(16).fill(0),
  ...[0, 0, 0, 0, 1, 4].flatMap((n) => [0, 0, 0, n]),
  ...[0, 0, 0x7e, 0x90, 0, 0],
  ...new TextEncoder().encode("JST\0"),
]);

async function withZoneinfo<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "limactl-zoneinfo-" });
  try {
    await Deno.mkdir(join(dir, "Asia"));
    await Deno.writeFile(join(dir, "Asia/Tokyo"), TOKYO);
    await Deno.writeTextFile(join(dir, "Asia/Bogus"), "not a zone file");
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the seed names the zone and carries the host's data for it", async () => {
  await withZoneinfo((dir) => {
    const files = seedFiles(
      seedOptions(IMAGES + "timezone: Asia/Tokyo\n", { zoneinfoDir: dir }),
    );
    const file = (path: string) => files.find((f) => f.path === path);
    assert.equal(decode(file("timezone")!.data), "Asia/Tokyo\n");
    assert.deepEqual(file("zoneinfo")!.data, TOKYO);

    const plain = seedFiles(
      seedOptions(IMAGES + "timezone: Asia/Tokyo\nplain: true\n", {
        zoneinfoDir: dir,
      }),
    );
    assert.ok(
      !plain.some((f) => f.path === "timezone"),
      "plain mode leaves the zone alone",
    );
    return Promise.resolve();
  });
});

Deno.test("no zone means no files; a zone the host lacks is named without data", async () => {
  await withZoneinfo((dir) => {
    assert.deepEqual(timezoneFiles("", dir), []);
    for (const zone of ["Europe/Nowhere", "Asia/Bogus", "Asia"]) {
      assert.deepEqual(
        timezoneFiles(zone, dir).map((f) => f.path),
        ["timezone"],
        zone,
      );
    }
    return Promise.resolve();
  });
});

if (!canIsolate) {
  console.error(
    "timezone_test: runs of 01-timezone.sh skipped (need root and unshare)",
  );
}

const SCRIPT = BOOT_FILES.find((f) => f.path === "boot.Linux/01-timezone.sh")!
  .content;

/** Runs the script on a guest whose /etc holds debian_version and whose zoneinfo holds GUEST. */
async function runScript(
  seed: Record<string, Uint8Array>,
  guest: Record<string, string> = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "limactl-tz-" });
  try {
    for (const [name, data] of Object.entries(seed)) {
      await Deno.writeFile(join(dir, name), data);
    }
    await Deno.writeTextFile(join(dir, "script"), SCRIPT);
    const setup = Object.entries(guest).map(([zone, content]) =>
      `mkdir -p "/usr/share/zoneinfo/$(dirname ${zone})" && printf %s '${content}' >/usr/share/zoneinfo/${zone}`
    );
    return await isolated([
      "set -e",
      "mount -t tmpfs tmpfs /etc",
      "mount -t tmpfs tmpfs /usr/share/zoneinfo",
      "touch /etc/debian_version",
      ...setup,
      "set +e",
      `LIMA_CIDATA_MNT='${dir}' sh '${dir}/script'`,
      'echo "exit=$?"',
      'echo "localtime=$(readlink /etc/localtime)"',
      'echo "timezone=$(cat /etc/timezone 2>/dev/null)"',
      'echo "zone=$(env -u TZ date +%Z)"',
      'echo "data=$(head -c 4 /usr/share/zoneinfo/Asia/Tokyo 2>/dev/null)"',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const zoneSeed = (withData: boolean): Record<string, Uint8Array> => ({
  timezone: new TextEncoder().encode("Asia/Tokyo\n"),
  ...(withData ? { zoneinfo: TOKYO } : {}),
});

Deno.test({
  name: "01-timezone.sh installs the host's data when the guest has none",
  ignore: !canIsolate,
}, async () => {
  const r = await runScript(zoneSeed(true));
  assert.match(r.stdout, /^exit=0$/m, r.stderr);
  assert.match(r.stdout, /^localtime=\/usr\/share\/zoneinfo\/Asia\/Tokyo$/m);
  assert.match(r.stdout, /^timezone=Asia\/Tokyo$/m);
  assert.match(r.stdout, /^zone=JST$/m);
});

Deno.test({
  name: "01-timezone.sh uses the guest's own data when it has the zone",
  ignore: !canIsolate,
}, async () => {
  const r = await runScript(zoneSeed(true), { "Asia/Tokyo": "ours" });
  assert.match(r.stdout, /^exit=0$/m, r.stderr);
  assert.match(r.stdout, /^localtime=\/usr\/share\/zoneinfo\/Asia\/Tokyo$/m);
  assert.match(r.stdout, /^data=ours$/m);
});

Deno.test({
  name:
    "01-timezone.sh fails with a reason when no data exists anywhere, and does nothing without a zone",
  ignore: !canIsolate,
}, async () => {
  const missing = await runScript(zoneSeed(false));
  assert.match(missing.stdout, /^exit=1$/m);
  assert.match(
    missing.stderr,
    /no \/usr\/share\/zoneinfo\/Asia\/Tokyo \(install tzdata\)/,
  );
  assert.match(missing.stdout, /^localtime=$/m);

  const none = await runScript({});
  assert.match(none.stdout, /^exit=0$/m, none.stderr);
  assert.match(none.stdout, /^localtime=$/m);
  assert.match(none.stdout, /^timezone=$/m);
});
