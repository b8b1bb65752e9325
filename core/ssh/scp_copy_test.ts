import assert from "node:assert/strict";
import { scpArgs } from "./scp_copy.ts";

const hosts = new Map([
  ["a", { login: "me@127.0.0.1", port: 2222 }],
  ["b", { login: "me@127.0.0.1", port: 3333 }],
]);
const ssh = { sshOptions: ["User=me", "ControlMaster=auto"], legacy: false };

Deno.test("scp addresses guest paths as scp:// URIs that keep `+` and `%` as written", () => {
  assert.deepEqual(
    scpArgs(
      [{ path: "-a b" }, { instance: "a", path: "/tmp/x+%41" }],
      hosts,
      { recursive: true },
      ssh,
    ),
    [
      "-F",
      "/dev/null",
      "-o",
      "User=me",
      "-o",
      "ControlMaster=auto",
      "-q",
      "-r",
      "-3",
      "--",
      "-a b",
      "scp://me@127.0.0.1:2222//tmp/x%2B%2541",
    ],
  );
});

Deno.test("scp before OpenSSH 8.0 gets the port with -P, and refuses two instances", () => {
  const legacy = { sshOptions: [], legacy: true };
  assert.deepEqual(
    scpArgs(
      [{ instance: "a", path: "rel" }, { path: "." }],
      hosts,
      { verbose: true },
      legacy,
    ),
    [
      "-F",
      "/dev/null",
      "-v",
      "-P",
      "2222",
      "-3",
      "--",
      "me@127.0.0.1:rel",
      ".",
    ],
  );
  assert.throws(
    () =>
      scpArgs(
        [{ instance: "a", path: "x" }, { instance: "b", path: "y" }],
        hosts,
        {},
        legacy,
      ),
    /more than one \(instance\) host is involved in this command/,
  );
});
