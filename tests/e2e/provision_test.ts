/**
 * Provisioning on a real instance: every in-guest provision mode, a readiness probe, `env`,
 * `param`, proxy variables, `caCerts` and the hostname are visible in the guest; a provision
 * script that fails makes `limactl start` fail with its output and exit status.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import {
  BOOT_TIMEOUT,
  CI,
  decoder,
  guestImage,
  skipVMTests,
  start,
  withLima,
} from "./harness.ts";

/** A throwaway self-signed CA certificate (PEM). */
async function testCA(): Promise<string> {
  const out = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "/dev/null",
      "-subj",
      "/CN=limactl provisioning test CA",
      "-days",
      "2",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  return decoder.decode(out.stdout);
}

const PLAYBOOK = `- hosts: all
  gather_facts: false
  become: true
  tasks:
    - ansible.builtin.copy:
        dest: /etc/test-ansible
        content: "ansible {{ lookup('env', 'PARAM_GREETING') }}\\n"
`;

/** ansible-playbook on the host; CI installs it, elsewhere its part is skipped without it. */
const ansible = await new Deno.Command("sh", {
  args: ["-c", "command -v ansible-playbook"],
  stdout: "null",
}).output().then((o) => o.success);
if (!ansible && CI) throw new Error("ansible-playbook is missing in CI");

const script = (body: string) => `#!/bin/sh\nset -eu\n${body}\n`;

Deno.test({
  name: "provision scripts, probes and settings reach the guest",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  const ca = await testCA();
  await withLima(async (lima) => {
    const template = parse(testTemplate(image));
    template.env = { FROM_ENV: "set by env" };
    template.param = { GREETING: "hello param" };
    template.caCerts = { certs: [ca] };
    template.provision = [
      { mode: "dependency", script: script("touch /etc/test-dependency") },
      {
        mode: "data",
        path: "/etc/test-data.conf",
        content: "key = value\n",
        permissions: "640",
      },
      {
        mode: "system",
        script: script(
          'echo "system $PARAM_GREETING $(id -un)" >/etc/test-system',
        ),
      },
      {
        mode: "user",
        script: script('echo "user $PARAM_GREETING $(id -un)" >~/test-user'),
      },
      { mode: "boot", script: script("echo boot >>/var/lib/test-boots") },
    ];
    if (ansible) {
      const playbook = `${lima.home}/playbook.yaml`;
      await Deno.writeTextFile(playbook, PLAYBOOK);
      template.provision.push({ mode: "ansible", playbook });
    }
    template.probes = [{
      description: "the system provision has run",
      script: "#!/bin/bash\ntest -f /etc/test-system\n",
    }];
    const failing = template.provision.length;
    const file = `${lima.home}/vm.yaml`;
    await Deno.writeTextFile(file, stringify(template));
    lima.env.FTP_PROXY = "http://proxy.test:2121";
    const r = await start(lima, ["--tty=false", file]);
    assert.match(r.stderr, /the system provision has run/);

    await t.step(
      "system, user, dependency and data provisions ran",
      async () => {
        assert.equal(
          await lima.sh("vm", "cat /etc/test-system"),
          "system hello param root",
        );
        const user = await lima.sh("vm", "id -un");
        assert.equal(
          await lima.sh("vm", "cat ~/test-user"),
          `user hello param ${user}`,
        );
        assert.equal(
          await lima.sh("vm", "ls /etc/test-dependency"),
          "/etc/test-dependency",
        );
        assert.equal(
          await lima.sh(
            "vm",
            "sudo stat -c '%a %U' /etc/test-data.conf && sudo cat /etc/test-data.conf",
          ),
          "640 root\nkey = value",
        );
      },
    );

    await t.step({
      name: "ansible playbooks run from the host with the params",
      ignore: !ansible,
      fn: async () => {
        assert.equal(
          await lima.sh("vm", "cat /etc/test-ansible"),
          "ansible hello param",
        );
      },
    });

    await t.step("boot provisions run at every boot", async () => {
      assert.equal(await lima.sh("vm", "cat /var/lib/test-boots"), "boot");
    });

    await t.step("env, proxy variables and the hostname", async () => {
      assert.equal(await lima.sh("vm", 'echo "$FROM_ENV"'), "set by env");
      assert.equal(
        await lima.sh("vm", 'echo "$FTP_PROXY $ftp_proxy"'),
        "http://proxy.test:2121 http://proxy.test:2121",
      );
      assert.equal(await lima.sh("vm", "hostname"), "lima-vm");
    });

    await t.step("the CA certificate is trusted", async () => {
      const body = ca.split("\n")[1];
      const bundle = await lima.sh(
        "vm",
        "cat /etc/ssl/certs/ca-certificates.crt",
      );
      assert.ok(bundle.includes(body), "the certificate is not in the bundle");
    });

    await t.step(
      "a failing provision script fails start with its output",
      async () => {
        await lima.expect(0, ["stop", "vm"]);
        await lima.expect(0, [
          "edit",
          "vm",
          "--set",
          `.provision += [{"mode": "system", "script": "#!/bin/sh\\necho about to fail\\necho the reason >&2\\nexit 7\\n"}]`,
        ]);
        const failed = await lima.run([
          "start",
          "--tty=false",
          "--timeout",
          BOOT_TIMEOUT,
          "vm",
        ]);
        assert.equal(failed.code, 1, failed.stderr);
        assert.match(
          failed.stderr,
          new RegExp(
            `provision script provision\\[${failing}\\] \\(mode: system\\) failed with exit status 7`,
          ),
        );
        assert.match(failed.stderr, /about to fail/);
        assert.match(failed.stderr, /the reason/);
        assert.match(failed.stderr, /DEGRADED/);
        assert.equal(
          await lima.sh("vm", "cat /var/lib/test-boots"),
          "boot\nboot",
        );
      },
    );
  });
});
