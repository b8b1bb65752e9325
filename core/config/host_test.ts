import assert from "node:assert/strict";
import { join } from "node:path";
import { goArch, hostInfo, hostTimezone, limaArch } from "./host.ts";
import { ARCHS } from "./schema.ts";

Deno.test("architecture names map between Go/Debian and Lima spellings", () => {
  assert.equal(limaArch("amd64"), "x86_64");
  assert.equal(limaArch("arm64"), "aarch64");
  assert.equal(limaArch("arm"), "armv7l");
  assert.equal(limaArch("x86_64"), "x86_64");
  for (const arch of ARCHS) assert.equal(limaArch(goArch(arch)), arch);
  assert.equal(goArch("x86_64"), "amd64");
});

Deno.test("host facts are plausible", () => {
  const info = hostInfo();
  assert.ok((ARCHS as readonly string[]).includes(info.arch));
  assert.ok(info.cpus >= 1);
  assert.ok(info.memory > 64 * 1024 * 1024);
  assert.ok(info.user.name.length > 0);
  assert.ok(Number.isInteger(info.user.uid) && info.user.uid >= 0);
});

Deno.test("timezone comes from /etc/timezone, else the /etc/localtime link", () => {
  const dir = Deno.makeTempDirSync();
  const files = {
    timezone: join(dir, "timezone"),
    localtime: join(dir, "localtime"),
  };
  assert.equal(hostTimezone(files), "");
  Deno.symlinkSync("/usr/share/zoneinfo/America/New_York", files.localtime);
  assert.equal(hostTimezone(files), "America/New_York");
  Deno.writeTextFileSync(files.timezone, "Asia/Tokyo\n");
  assert.equal(hostTimezone(files), "Asia/Tokyo");
  Deno.removeSync(dir, { recursive: true });
});
