import assert from "node:assert/strict";
import { pathDepth, syncDirs, type SyncRequest } from "./shell_sync.ts";

const request: SyncRequest = {
  dir: "/work/me/src/proj",
  hasMounts: false,
  vmType: "qemu",
  guestSeesHostFiles: false,
  guestHome: "/home/me.linux",
};

Deno.test("the guest copy lives under the guest home at the host path", () => {
  assert.deepEqual(syncDirs(request), {
    host: "/work/me/src/proj",
    guest: "/home/me.linux/work/me/src/proj",
  });
  assert.equal(
    syncDirs({ ...request, dir: "/work/me/src/x/../proj/" }).guest,
    "/home/me.linux/work/me/src/proj",
  );
});

Deno.test("--sync is refused with mounts, a guest seeing host files, a shallow directory or --workdir, in Lima's order", () => {
  assert.throws(
    () => syncDirs({ ...request, hasMounts: true, workdir: "/tmp" }),
    /^LimaError: cannot use `--sync` when the instance has host mounts configured, start the instance with `--mount-none` to disable mounts$/,
  );
  assert.throws(
    () =>
      syncDirs({
        ...request,
        vmType: "wsl2",
        guestSeesHostFiles: true,
        dir: "/",
      }),
    /cannot use `--sync` with a wsl2 instance, the host directory is already visible in the guest$/,
  );
  assert.throws(
    () => syncDirs({ ...request, dir: "/work/me/", workdir: "/tmp" }),
    /expected the depth of the host working directory \(`\/work\/me`\) to be at least 4, only got 3 \(Hint: cd to a deeper directory\)$/,
  );
  assert.throws(
    () => syncDirs({ ...request, workdir: "/tmp" }),
    /cannot use `--workdir` and `--sync` at the same time$/,
  );
});

Deno.test("path depth counts fields, not repeated or trailing slashes", () => {
  assert.equal(pathDepth("/"), 2);
  assert.equal(pathDepth("/Users/me"), 3);
  assert.equal(pathDepth("/Users//me/"), 3);
  assert.equal(pathDepth("/Users/me/src"), 4);
});
