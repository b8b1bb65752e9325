import assert from "node:assert/strict";
import { join } from "node:path";
import { haveSSHD, startTestGuest } from "../../tests/fixtures/sshd.ts";
import { detectOpenSSH, sshOptions } from "./options.ts";
import { sshConfigText, writeSSHConfig } from "./ssh_config.ts";

Deno.test("ssh.config has Lima's header, a Host block and the port", () => {
  const text = sshConfigText({
    name: "my.vm",
    options: ["User=me", 'ControlPath="/x/ssh.sock"'],
    port: 60022,
  });
  assert.equal(
    text,
    `# This SSH config file can be passed to 'ssh -F'.
# This file is created by Lima, but not used by Lima itself currently.
# Modifications to this file will be lost on restarting the Lima instance.
Host lima-my-vm
  User me
  ControlPath "/x/ssh.sock"
  Hostname 127.0.0.1
  Port 60022
`,
  );
});

Deno.test({
  name: "OpenSSH logs in with `ssh -F INSTDIR/ssh.config lima-NAME`",
  ignore: !haveSSHD(),
}, async () => {
  await using guest = await startTestGuest("vm1");
  const { target } = guest;
  const options = sshOptions({
    instDir: target.instDir,
    user: target.user,
    identityFiles: target.identityFiles,
    features: await detectOpenSSH(),
  });
  const file = await writeSSHConfig(target.instDir, {
    name: "vm1",
    options,
    port: target.port,
  });
  assert.equal(file, join(target.instDir, "ssh.config"));
  assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
  const ssh = (...args: string[]) =>
    new Deno.Command("ssh", {
      args: ["-F", file, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  try {
    const out = await ssh("lima-vm1", "echo", "hello from", "$((6*7))");
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout), "hello from 42\n");
    // The ControlMaster the first call left behind is reused.
    assert.equal((await ssh("lima-vm1", "true")).code, 0);
    await Deno.stat(join(target.instDir, "ssh.sock"));
  } finally {
    await ssh("-O", "exit", "lima-vm1");
  }
});
