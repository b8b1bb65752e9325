import assert from "node:assert/strict";
import { LimaError } from "../errors.ts";
import { type OpenSSHFeatures, sshOptions } from "./options.ts";

const modern: OpenSSHFeatures = {
  version: [9, 2],
  gssapi: true,
  aesAccelerated: true,
};
const input = {
  instDir: "/lh/vm",
  user: "me",
  identityFiles: ["/lh/_config/user"],
  features: modern,
};

Deno.test("options come in Lima's order", () => {
  assert.deepEqual(sshOptions(input), [
    'IdentityFile="/lh/_config/user"',
    "StrictHostKeyChecking=no",
    "UserKnownHostsFile=/dev/null",
    "NoHostAuthenticationForLocalhost=yes",
    "PreferredAuthentications=publickey",
    "Compression=no",
    "BatchMode=yes",
    "IdentitiesOnly=yes",
    "GSSAPIAuthentication=no",
    'Ciphers="^aes128-gcm@openssh.com,aes256-gcm@openssh.com"',
    "User=me",
    "ControlMaster=auto",
    'ControlPath="/lh/vm/ssh.sock"',
    "ControlPersist=yes",
  ]);
});

Deno.test("extra identities and forwarding options are added where Lima adds them", () => {
  const opts = sshOptions({
    ...input,
    identityFiles: ["/lh/_config/user", "/home/me/.ssh/id_ed25519"],
    forwardAgent: true,
    forwardX11: true,
    forwardX11Trusted: true,
  });
  assert.deepEqual(opts.slice(0, 2), [
    'IdentityFile="/lh/_config/user"',
    'IdentityFile="/home/me/.ssh/id_ed25519"',
  ]);
  assert.deepEqual(opts.slice(-3), [
    "ForwardAgent=yes",
    "ForwardX11=yes",
    "ForwardX11Trusted=yes",
  ]);
});

Deno.test("ciphers and GSSAPI follow what the local OpenSSH supports", () => {
  const ciphersOf = (features: OpenSSHFeatures) =>
    sshOptions({ ...input, features }).find((o) => o.startsWith("Ciphers="));
  assert.equal(
    ciphersOf({ ...modern, aesAccelerated: false }),
    'Ciphers="^chacha20-poly1305@openssh.com"',
  );
  assert.equal(
    ciphersOf({ ...modern, version: [8, 0] }),
    'Ciphers="^chacha20-poly1305@openssh.com"',
  );
  assert.equal(
    ciphersOf({ ...modern, version: [8, 1] }),
    'Ciphers="^aes128-gcm@openssh.com,aes256-gcm@openssh.com"',
  );
  assert.ok(
    !sshOptions({ ...input, features: { ...modern, gssapi: false } }).some((
      o,
    ) => o.startsWith("GSSAPI")),
  );
});

Deno.test("a line break in a value is rejected", () => {
  assert.throws(
    () => sshOptions({ ...input, user: "me\nProxyCommand evil" }),
    LimaError,
  );
  assert.throws(() => sshOptions({ ...input, instDir: "/a\r/b" }), LimaError);
});
