import assert from "node:assert/strict";
import { rsyncArgs } from "./rsync_copy.ts";

const remote = {
  ssh: ["ssh", "-o", "User=me", "-p", "2222"],
  login: "me@127.0.0.1",
};

Deno.test("rsync gets the instance's ssh command and the guest path after its login", () => {
  assert.deepEqual(
    rsyncArgs(
      [{ path: "a b.txt" }, { instance: "vm", path: "/tmp/" }],
      {},
      remote,
    ),
    [
      "-a",
      "-q",
      "-e",
      "ssh -o User=me -p 2222",
      "--",
      "a b.txt",
      "me@127.0.0.1:/tmp/",
    ],
  );
  assert.deepEqual(
    rsyncArgs([{ instance: "vm", path: "~/x" }, { path: "." }], {
      verbose: true,
    }, remote),
    [
      "-a",
      "-v",
      "--progress",
      "-e",
      "ssh -o User=me -p 2222",
      "--",
      "me@127.0.0.1:~/x",
      ".",
    ],
  );
});

Deno.test("a path that starts with a dash comes after -- and is never an option", () => {
  const args = rsyncArgs(
    [{ path: "--rsh=touch pwned" }, { path: "/tmp/dst" }],
    {},
  );
  assert.ok(args.indexOf("--rsh=touch pwned") > args.indexOf("--"));
});

Deno.test("with -r directories land where scp -r puts them", () => {
  const paths = (args: string[]) => args.slice(args.indexOf("--") + 1);
  // Into an existing guest directory named with a slash: the directory itself is copied.
  assert.deepEqual(
    paths(
      rsyncArgs([{ path: "./dir" }, { instance: "vm", path: "/tmp/" }], {
        recursive: true,
      }, remote),
    ),
    ["./dir", "me@127.0.0.1:/tmp/"],
  );
  // To a new name: the contents go there.
  assert.deepEqual(
    paths(
      rsyncArgs([{ path: "./dir" }, { instance: "vm", path: "/tmp/new" }], {
        recursive: true,
      }, remote),
    ),
    ["./dir/", "me@127.0.0.1:/tmp/new/"],
  );
  // A host path's own trailing slash is dropped.
  assert.deepEqual(
    paths(
      rsyncArgs([{ instance: "vm", path: "/etc/x" }, { path: "out/" }], {
        recursive: true,
      }, remote),
    ),
    ["me@127.0.0.1:/etc/x/", "out"],
  );
});
