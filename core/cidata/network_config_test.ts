import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parse } from "yaml";
import { INST_DIR, MACHINE_ID, seed, seedText } from "./_test_config.ts";
import type { SeedOptions } from "./seed.ts";
import { vzValidation } from "../../drivers/vz/validation.ts";

interface Ethernet {
  match: { macaddress: string };
  dhcp4: boolean;
  "set-name": string;
  "dhcp4-overrides": { "route-metric": number };
  "dhcp-identifier": string;
  nameservers?: { addresses: string[] };
  optional?: boolean;
}

function networkConfig(text: string, extra: Partial<SeedOptions> = {}) {
  const raw = seedText(seed(text, extra), "network-config");
  return {
    raw,
    doc: parse(raw, { version: "1.1" }) as {
      version: number;
      ethernets: Record<string, Ethernet>;
    },
  };
}

/** NIC 0's MAC: 52:55:55 and the first three bytes of sha256(machine id + instance dir). */
const NIC0_MAC = "52:55:55:" +
  [
    ...createHash("sha256").update(MACHINE_ID + INST_DIR).digest().subarray(
      0,
      3,
    ),
  ]
    .map((b) => b.toString(16).padStart(2, "0")).join(":");

Deno.test("network-config gives the user-mode NIC eth0 with the instance MAC, metric 200 and DNS", () => {
  const { raw, doc } = networkConfig("");
  assert.equal(doc.version, 2);
  assert.deepEqual(doc.ethernets, {
    eth0: {
      match: { macaddress: NIC0_MAC },
      dhcp4: true,
      "set-name": "eth0",
      "dhcp4-overrides": { "route-metric": 200 },
      "dhcp-identifier": "mac",
      nameservers: { addresses: ["192.168.5.3"] },
    },
  });
  // Unquoted, a MAC of digits only would be a base-60 number to cloud-init's YAML 1.1 parser.
  assert.match(raw, new RegExp(`macaddress: '${NIC0_MAC}'`));
});

Deno.test("network-config adds one NIC per network, without name servers", () => {
  const { doc } = networkConfig(
    "networks: [{lima: shared, macAddress: '52:55:55:12:34:56'}, {socket: /var/run/vmnet.sock, interface: vmnet, metric: 50}]\n",
  );
  assert.deepEqual(Object.keys(doc.ethernets), ["eth0", "lima0", "vmnet"]);
  assert.deepEqual(doc.ethernets.lima0, {
    match: { macaddress: "52:55:55:12:34:56" },
    dhcp4: true,
    "set-name": "lima0",
    "dhcp4-overrides": { "route-metric": 100 },
    "dhcp-identifier": "mac",
  });
  assert.equal(doc.ethernets.vmnet["dhcp4-overrides"]["route-metric"], 50);
  assert.match(
    doc.ethernets.vmnet.match.macaddress,
    /^52:55:55:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/,
  );
});

Deno.test("network-config lets a user-v2 network take the place of the slirp NIC, keeping NIC 0's MAC", () => {
  const { doc } = networkConfig(
    "networks: [{lima: shared, macAddress: '52:55:55:00:00:01'}, {lima: user-v2, macAddress: '52:55:55:00:00:02'}]\n",
    {
      userV2Network: {
        index: 1,
        gateway: "192.168.104.2",
        ipAddress: "192.168.104.15",
      },
    },
  );
  assert.deepEqual(Object.keys(doc.ethernets), ["eth0", "lima0"]);
  // The MAC QEMU gives NIC 0 and the host agent looks up in the leases (Lima's `MACAddress`).
  assert.equal(doc.ethernets.eth0.match.macaddress, NIC0_MAC);
  assert.equal(doc.ethernets.eth0["dhcp4-overrides"]["route-metric"], 200);
  assert.deepEqual(doc.ethernets.eth0.nameservers, {
    addresses: ["192.168.104.2"],
  });
  assert.equal(doc.ethernets.lima0.match.macaddress, "52:55:55:00:00:01");
});

Deno.test("network-config picks name servers: dns list, vz gateway, host resolver, host DNS", () => {
  const ns = (text: string, extra: Partial<SeedOptions> = {}) =>
    networkConfig(text, extra).doc.ethernets.eth0.nameservers;
  assert.deepEqual(ns("hostResolver: {enabled: false}\ndns: [10.0.0.53]\n"), {
    addresses: ["10.0.0.53"],
  });
  assert.deepEqual(
    ns("vmType: vz\n", { dnsAtGateway: vzValidation.dnsAtGateway }),
    { addresses: ["192.168.5.2"] },
  );
  assert.deepEqual(ns(""), { addresses: ["192.168.5.3"] });
  assert.deepEqual(
    ns("hostResolver: {enabled: false}\n", {
      hostDNS: ["10.1.1.1", "10.1.1.2"],
    }),
    {
      addresses: ["10.1.1.1", "10.1.1.2"],
    },
  );
  assert.equal(
    ns("hostResolver: {enabled: false}\n", { hostDNS: [] }),
    undefined,
  );
});

Deno.test("network-config marks every NIC optional when the netplanOptional param says so", () => {
  const optional = networkConfig(
    "param: {internal_netplanOptional: 'true'}\nnetworks: [{lima: shared}]\n",
  ).doc;
  assert.deepEqual(Object.values(optional.ethernets).map((e) => e.optional), [
    true,
    true,
  ]);
  const required =
    networkConfig("param: {internal_netplanOptional: 'false'}\n").doc;
  assert.equal(required.ethernets.eth0.optional, undefined);
});
