/**
 * Golden files in testdata/sudoers/, written from Lima's `pkg/networks/sudoers.go` and
 * `commands.go`: the text Finch and Rancher Desktop compare byte for byte.
 */
import assert from "node:assert/strict";
import { fakeHost } from "../../tests/fixtures/fake_network_host.ts";
import { defaultNetworksYAML, parseNetworks } from "./networks_yaml.ts";
import { sudoersText } from "./sudoers_text.ts";

const testdata = new URL("./testdata/sudoers/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, testdata));
const DEFAULT_PATH = "/opt/socket_vmnet/bin/socket_vmnet";
const DEFAULT = defaultNetworksYAML(DEFAULT_PATH);
const FINCH_SHARED = `  finch-shared:
    mode: shared
    gateway: 192.168.107.1
    dhcpEnd: 192.168.107.254
    netmask: 255.255.255.0
`;

const cases: [string, string, string, string][] = [
  ["default networks.yaml", DEFAULT, DEFAULT_PATH, "default.sudoers"],
  [
    "default with finch-shared appended",
    DEFAULT + FINCH_SHARED,
    DEFAULT_PATH,
    "default_finch_shared.sudoers",
  ],
  [
    "Finch's networks.yaml",
    read("finch_networks.yaml"),
    "/opt/finch/bin/socket_vmnet",
    "finch.sudoers",
  ],
  [
    "Rancher Desktop's networks.yaml",
    read("rancher_desktop_networks.yaml"),
    "/opt/rancher-desktop/bin/socket_vmnet",
    "rancher_desktop.sudoers",
  ],
  ["socket_vmnet not installed", DEFAULT, "", "default_not_installed.sudoers"],
];

for (const [name, yaml, installed, golden] of cases) {
  Deno.test(`sudoers text: ${name}`, () => {
    const config = parseNetworks(yaml, "networks.yaml");
    const host = fakeHost({ executables: installed ? [installed] : [] });
    assert.equal(sudoersText(config, host), read(golden));
  });
}
