import assert from "node:assert/strict";
import { LimaError } from "../errors.ts";
import { formatSSHOptions, parseSSHFormat } from "./format.ts";

const opts = [
  'IdentityFile="/lh/_config/user"',
  "User=me",
  "Hostname=127.0.0.1",
  "Port=60022",
];

Deno.test("cmd and args wrap options holding double quotes in single quotes", () => {
  assert.equal(
    formatSSHOptions("cmd", "lima-vm", opts),
    `ssh -o 'IdentityFile="/lh/_config/user"' -o User=me -o Hostname=127.0.0.1 -o Port=60022 lima-vm\n`,
  );
  assert.equal(
    formatSSHOptions("args", "lima-vm", opts),
    `-o 'IdentityFile="/lh/_config/user"' -o User=me -o Hostname=127.0.0.1 -o Port=60022\n`,
  );
});

Deno.test("options prints K=V lines and config a Host block", () => {
  assert.equal(
    formatSSHOptions("options", "lima-vm", opts),
    opts.join("\n") + "\n",
  );
  assert.equal(
    formatSSHOptions("config", "lima-vm", opts),
    'Host lima-vm\n  IdentityFile "/lh/_config/user"\n  User me\n  Hostname 127.0.0.1\n  Port 60022\n',
  );
});

Deno.test("unknown formats are rejected", () => {
  assert.equal(parseSSHFormat("config"), "config");
  assert.throws(() => parseSSHFormat("json"), LimaError);
});
