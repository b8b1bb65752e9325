/**
 * Provisioning on a real instance: every provision mode (ansible from the host), a readiness
 * probe, `env`, `param`, proxy variables, `caCerts`, `user`, the time zone and the hostname
 * are visible in the guest; a provision script that fails makes `limactl start` fail with its
 * output and exit status, and leaves the instance running for a look inside.
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
    // The test image has no time zone data: the host's data for the zone goes along.
    template.timezone = "Asia/Tokyo";
    template.user = { name: "prov", uid: 2345, comment: "Provision Tester" };
    template.provision = [
      { mode: "dependency", script: script("touch /etc/test-dependency") },
      {
        mode: "data",
        path: "/etc/test-data.conf",
        content: "key = value\n",
        permissions: "640",
      },
      {
        mode: "data",
        path: "/etc/test-yq.yaml",
        content: "list: [a]\n",
      },
      // The test image has no yq: boot.sh uses its own.
      {
        mode: "yq",
        path: "/etc/test-yq.yaml",
        expression: '.list += ["{{.Param.GREETING}}"]',
      },
      {
        mode: "yq",
        path: "{{.Home}}/.config/test/daemon.json",
        expression: ".features.cdi = true",
        owner: "{{.User}}",
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
    lima.env.https_proxy = "http://127.0.0.1:3129";
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

    await t.step("yq provisions edit and create files", async () => {
      assert.equal(
        await lima.sh("vm", "cat /etc/test-yq.yaml"),
        "list: [a, hello param]",
      );
      assert.deepEqual(
        JSON.parse(await lima.sh("vm", "cat ~/.config/test/daemon.json")),
        { features: { cdi: true } },
      );
      assert.equal(
        await lima.sh("vm", "stat -c %U ~/.config/test/daemon.json"),
        "prov",
      );
    });

    await t.step("the user settings and the time zone", async () => {
      assert.equal(
        await lima.sh("vm", "id -u; getent passwd prov | cut -d: -f5,6"),
        "2345\nProvision Tester:/home/prov.guest",
      );
      assert.equal(
        await lima.sh("vm", "date +%Z; cat /etc/timezone"),
        "JST\nAsia/Tokyo",
      );
    });

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
      // A proxy on the host's loopback is reached through the gateway.
      assert.equal(
        await lima.sh("vm", 'echo "$https_proxy $HTTPS_PROXY"'),
        "http://192.168.5.2:3129 http://192.168.5.2:3129",
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
            `provision\\[${failing}\\] \\(mode: system\\) failed with exit status 7; its last output lines:`,
          ),
        );
        assert.match(failed.stderr, /about to fail/);
        assert.match(failed.stderr, /the reason/);
        assert.doesNotMatch(failed.stderr, /READY/);
        // Degraded, as in Lima: the guest stays up so that the failure can be looked into.
        assert.match(failed.stderr, /DEGRADED/);
        assert.equal(
          (await lima.expect(0, ["ls", "-f", "{{.Status}}", "vm"])).stdout
            .trim(),
          "Running",
        );
        assert.equal(
          await lima.sh("vm", "cat /var/lib/test-boots"),
          "boot\nboot",
        );
      },
    );
  });
});
