import assert from "node:assert/strict";
import { parse } from "yaml";
import { parseNetworks } from "../networks_yaml.ts";
import { GATEWAY_MAC, gvproxyArgs, gvproxyConfig } from "./gvproxy_config.ts";
import { parseSubnet, userV2Subnet } from "./subnet.ts";

/** The networks.yaml Colima writes: only `networks.user-v2`. */
const COLIMA_NETWORKS = `networks:
  user-v2:
    mode: user-v2
    gateway: 192.168.104.1
    netmask: 255.255.255.0
`;

Deno.test("gvproxy's config comes from networks.yaml: subnet, gateway at +2, NAT to loopback, leases", () => {
  const net = parseNetworks(COLIMA_NETWORKS, "networks.yaml").networks;
  const subnet = userV2Subnet(net["user-v2"]);
  assert.deepEqual(subnet, {
    cidr: "192.168.104.0/24",
    network: "192.168.104.0",
    prefix: 24,
    gateway: "192.168.104.2",
  });
  const config = parse(gvproxyConfig({
    subnet,
    mtu: 1500,
    leases: {
      "192.168.104.1": "52:55:55:aa:bb:cc",
      "192.168.5.15": "52:55:55:00:00:01",
    },
    qemuSocket: "/L/_networks/user-v2/user-v2_gvproxy.sock",
  }));
  assert.deepEqual(config, {
    "log-level": "info",
    stack: {
      mtu: 1500,
      subnet: "192.168.104.0/24",
      gatewayIP: "192.168.104.2",
      gatewayMacAddress: GATEWAY_MAC,
      nat: { "192.168.104.2": "127.0.0.1" },
      gatewayVirtualIPs: ["192.168.104.2"],
      dhcpStaticLeases: {
        "192.168.104.1": "52:55:55:aa:bb:cc",
        "192.168.104.2": "5a:94:ef:e4:0c:dd",
      },
    },
    interfaces: { qemu: "unix:///L/_networks/user-v2/user-v2_gvproxy.sock" },
  });
  assert.deepEqual(
    gvproxyArgs({
      config: "/n/gvproxy.yaml",
      endpointSocket: "/n/x_ep.sock",
      pidFile: "/n/gvproxy.pid",
    }),
    [
      "-config",
      "/n/gvproxy.yaml",
      "-listen",
      "unix:///n/x_ep.sock",
      "-pid-file",
      "/n/gvproxy.pid",
    ],
  );
});

Deno.test("subnets: any gateway inside picks the network; masks other than /24", () => {
  assert.equal(
    userV2Subnet({ gateway: "10.0.37.200", netmask: "255.255.240.0" }).cidr,
    "10.0.32.0/20",
  );
  assert.equal(
    userV2Subnet({ gateway: "10.0.37.200", netmask: "255.255.240.0" }).gateway,
    "10.0.32.2",
  );
  assert.equal(parseSubnet("192.168.5.0/24").gateway, "192.168.5.2");
  assert.throws(() => parseSubnet("192.168.5.0"), /invalid subnet/);
  assert.throws(
    () => userV2Subnet({ gateway: "10.0.0.1", netmask: "255.255.255.254" }),
    /no room for guests/,
  );
});
