import assert from "node:assert/strict";
import { fillDefaults } from "../config/fill.ts";
import type { HostInfo } from "../config/host.ts";
import { parseLimaYAML } from "../config/parse.ts";
import type { GuestListener } from "../guestagent/events.ts";
import {
  decide,
  effectiveRules,
  normalizeIP,
  socketRules,
  staticRules,
} from "./rules.ts";
import { builtinDefaultVMType } from "../../drivers/default_vm_type.ts";

const host: HostInfo = {
  arch: "x86_64",
  os: "linux",
  cpus: 4,
  memory: 8 * 1024 ** 3,
  user: { name: "alice", uid: 501, comment: "", home: "/home/alice" },
  timezone: "UTC",
};
const INST = "/lima/home/dev";
const HOST_IPV4 = "192.0.2.10";
const SSH_LOCAL_PORT = 60022;

function rulesOf(yamlText: string, sshLocalPort = SSH_LOCAL_PORT) {
  const filled = fillDefaults(parseLimaYAML(yamlText, { file: "lima.yaml" }), {
    instDir: INST,
    name: "dev",
    host,
    machineID: "machine",
    warn: () => {},
    defaultVMType: builtinDefaultVMType,
  });
  return effectiveRules(filled, { sshLocalPort });
}

/**
 * The rules and expectations of Lima's `hack/test-port-forwarding.pl` (its DATA section):
 * `forward: GUEST_IP PORT → HOST_IP HOST_PORT` and `ignore: GUEST_IP PORT` comments follow
 * the rules they exercise; `ipv4` is the host's external address.
 */
const TABLE = `
portForwards:
  # ignore: 127.0.0.1 sshLocalPort
  # ignore: 0.0.0.0 22
- guestIP: 127.0.0.2
  guestPortRange: [3000, 3009]
  hostPortRange: [2000, 2009]
  ignore: true
- guestIP: 0.0.0.0
  guestPortRange: [3010, 3019]
  hostPortRange: [2010, 2019]
  ignore: true
- guestIP: 0.0.0.0
  guestPortRange: [3000, 3029]
  hostPortRange: [2000, 2029]
# Shadowed by the previous rule.
- guestIP: 0.0.0.0
  guestPortRange: [3020, 3029]
  hostPortRange: [2020, 2029]
  ignore: true
  # ignore:  127.0.0.2 3000
  # forward: 127.0.0.3 3001 → 127.0.0.1 2001
  # forward: 0.0.0.0   3002 → 127.0.0.1 2002
  # ignore: 0.0.0.0   3010
  # ignore: 127.0.0.1 3011
  # forward: 127.0.0.2 3020 → 127.0.0.1 2020
  # forward: 127.0.0.1 3021 → 127.0.0.1 2021
  # forward: 0.0.0.0   3022 → 127.0.0.1 2022
  # forward: ::        3023 → 127.0.0.1 2023
  # forward: ::1       3024 → 127.0.0.1 2024
- guestPortRange: [3030, 3039]
  hostPortRange: [2030, 2039]
  hostIP: ipv4
  # forward: 127.0.0.1 3030 → ipv4 2030
  # forward: 0.0.0.0   3031 → ipv4 2031
  # forward: ::        3032 → ipv4 2032
  # forward: ::1       3033 → ipv4 2033
- guestPortRange: [300, 309]
  # forward: 127.0.0.1 300 → 127.0.0.1 300
- guestPortRange: [310, 319]
  hostIP: 0.0.0.0
  # forward: 127.0.0.1 310 → 0.0.0.0 310
- guestIP: "192.168.5.15"
  guestPortRange: [4000, 4009]
  hostIP: "ipv4"
  # forward: 192.168.5.15 4000 → ipv4 4000
- guestIP: "::1"
  guestPortRange: [4010, 4019]
  hostIP: "::"
  # forward: ::1 4010 → :: 4010
- guestIP: "::"
  guestPortRange: [4020, 4029]
  hostIP: "ipv4"
  # forward: 127.0.0.1    4020 → ipv4 4020
  # forward: 127.0.0.2    4021 → ipv4 4021
  # forward: 192.168.5.15 4022 → ipv4 4022
  # forward: 0.0.0.0      4023 → ipv4 4023
  # forward: ::           4024 → ipv4 4024
  # forward: ::1          4025 → ipv4 4025
- guestIP: "0.0.0.0"
  guestPortRange: [4030, 4039]
  hostIP: "ipv4"
  # forward: 127.0.0.1    4030 → ipv4 4030
  # forward: 127.0.0.2    4031 → ipv4 4031
  # forward: 192.168.5.15 4032 → ipv4 4032
  # forward: 0.0.0.0      4033 → ipv4 4033
  # forward: ::           4034 → ipv4 4034
  # forward: ::1          4035 → ipv4 4035
- guestIPMustBeZero: true
  guestPortRange: [4040, 4049]
- guestIP: "0.0.0.0"
  guestPortRange: [4040, 4049]
  ignore: true
  # forward: 0.0.0.0        4040 → 127.0.0.1 4040
  # forward: ::             4041 → 127.0.0.1 4041
  # ignore:  127.0.0.1      4043 → 127.0.0.1 4043
  # ignore:  192.168.5.15   4044 → 127.0.0.1 4044
`.replaceAll("ipv4", HOST_IPV4);

interface Case {
  line: string;
  mode: "forward" | "ignore";
  listener: GuestListener;
  hostIP: string;
  hostPort: number;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const raw of TABLE.split("\n")) {
    const m =
      /^\s*#\s*(forward|ignore):\s+(\S+)\s+(\w+)(?:\s+→\s+(\S+)(?:\s+(\d+))?)?/
        .exec(raw);
    if (!m) continue;
    const port = m[3] === "sshLocalPort" ? SSH_LOCAL_PORT : Number(m[3]);
    out.push({
      line: raw.trim(),
      mode: m[1] as Case["mode"],
      listener: { proto: "tcp", ip: m[2], port },
      hostIP: m[4] ?? "127.0.0.1",
      hostPort: m[5] ? Number(m[5]) : port,
    });
  }
  return out;
}

Deno.test("the expectations of test-port-forwarding.pl hold for TCP and UDP", () => {
  const rules = rulesOf(TABLE);
  const all = cases();
  assert.ok(all.length >= 35, `only ${all.length} cases parsed`);
  for (const c of all) {
    for (const proto of ["tcp", "udp"] as const) {
      const d = decide(rules, { ...c.listener, proto });
      if (c.mode === "ignore") {
        assert.deepEqual(d, { action: "ignore", quiet: false }, c.line);
      } else {
        assert.equal(d.action, "forward", c.line);
        if (d.action !== "forward") continue;
        assert.equal(d.hostIP, c.hostIP, c.line);
        assert.equal(d.hostPort, c.hostPort, c.line);
      }
    }
  }
});

Deno.test("the default rule forwards loopback and wildcard listeners to 127.0.0.1 on the same port", () => {
  const rules = rulesOf("");
  for (const ip of ["127.0.0.1", "0.0.0.0", "::", "::1", "::ffff:127.0.0.1"]) {
    const d = decide(rules, { proto: "tcp", ip, port: 8080 });
    assert.equal(d.action, "forward", ip);
    if (d.action === "forward") {
      assert.equal(`${d.hostIP}:${d.hostPort}`, "127.0.0.1:8080", ip);
    }
  }
  assert.deepEqual(
    decide(rules, { proto: "tcp", ip: "192.168.5.15", port: 8080 }),
    { action: "none" },
  );
  assert.deepEqual(
    decide(rules, { proto: "tcp", ip: "127.0.0.2", port: 8080 }),
    { action: "none" },
  );
});

Deno.test("SSH ports are never forwarded", () => {
  const rules = rulesOf("portForwards: [{guestPortRange: [1, 65535]}]\n");
  for (const port of [22, SSH_LOCAL_PORT]) {
    for (const ip of ["0.0.0.0", "127.0.0.1", "::"]) {
      assert.equal(
        decide(rules, { proto: "tcp", ip, port }).action,
        "ignore",
        `${ip}:${port}`,
      );
    }
  }
  assert.equal(
    decide(rules, { proto: "tcp", ip: "0.0.0.0", port: 23 }).action,
    "forward",
  );
});

Deno.test("proto restricts a rule to one protocol", () => {
  const rules = rulesOf(
    "portForwards:\n- {guestPort: 53, proto: udp, hostPort: 5353}\n- {guestPort: 53, ignore: true}\n",
  );
  const udp = decide(rules, { proto: "udp", ip: "127.0.0.1", port: 53 });
  assert.equal(udp.action === "forward" && udp.hostPort, 5353);
  assert.equal(
    decide(rules, { proto: "tcp", ip: "127.0.0.1", port: 53 }).action,
    "ignore",
  );
});

Deno.test("leading full-range ignore rules switch a protocol off quietly", () => {
  const tcpOff = rulesOf(
    "portForwards:\n- {ignore: true, proto: tcp}\n- {guestPort: 80}\n",
  );
  assert.deepEqual([...tcpOff.disabled], ["tcp"]);
  assert.deepEqual(
    decide(tcpOff, { proto: "tcp", ip: "127.0.0.1", port: 80 }),
    { action: "ignore", quiet: true },
  );
  assert.equal(
    decide(tcpOff, { proto: "udp", ip: "127.0.0.1", port: 80 }).action,
    "forward",
  );
  const bothOff = rulesOf("portForwards:\n- {ignore: true}\n");
  assert.deepEqual([...bothOff.disabled].sort(), ["tcp", "udp"]);
  const notLeading = rulesOf(
    "portForwards:\n- {guestPort: 80}\n- {ignore: true}\n",
  );
  assert.equal(notLeading.disabled.size, 0);
  assert.equal(
    decide(notLeading, { proto: "tcp", ip: "127.0.0.1", port: 81 }).action,
    "ignore",
  );
});

Deno.test("socket and static rules are listed separately", () => {
  const rules = rulesOf(
    "portForwards:\n- {guestSocket: /run/d.sock, hostSocket: d.sock}\n- {guestPort: 80, static: true}\n- {guestPort: 81}\n",
  );
  assert.deepEqual(socketRules(rules).map((r) => r.hostSocket), [
    `${INST}/sock/d.sock`,
  ]);
  assert.deepEqual(staticRules(rules).map((r) => r.guestPortRange), [[
    80,
    80,
  ]]);
  assert.equal(
    decide(rules, { proto: "tcp", ip: "127.0.0.1", port: 81 }).action,
    "forward",
  );
});

Deno.test("IP addresses are compared in canonical form", () => {
  assert.equal(normalizeIP("::FFFF:10.0.0.1"), "10.0.0.1");
  assert.equal(normalizeIP("0:0:0:0:0:0:0:1"), "::1");
  assert.equal(normalizeIP("[fe80:0::1]"), "fe80::1");
  assert.equal(normalizeIP("127.0.0.1"), "127.0.0.1");
});
