/**
 * The `network-config` file of the seed: netplan version 2 (Lima's
 * `pkg/cidata/cidata.TEMPLATE.d/network-config`).
 */
import { Document, isMap, isScalar, type Scalar } from "yaml";

/** One guest NIC, matched by its MAC address and renamed to `interface`. */
export interface GuestNic {
  macAddress: string;
  interface: string;
  metric: number;
}

export interface NetworkConfigInput {
  /** The user-mode NIC (`eth0`) first, then one entry per `networks[]` item. */
  nics: GuestNic[];
  /** Name servers for the first NIC; none when empty. */
  dnsAddresses: string[];
  /** `param.internal_netplanOptional == "true"`: boot does not wait for these NICs. */
  optional: boolean;
}

/** Renders `network-config`; cloud-init reads it with YAML 1.1 rules, so MACs are quoted. */
export function renderNetworkConfig(input: NetworkConfigInput): string {
  const ethernets: Record<string, unknown> = {};
  input.nics.forEach((nic, i) => {
    ethernets[nic.interface] = {
      match: { macaddress: nic.macAddress },
      dhcp4: true,
      "set-name": nic.interface,
      "dhcp4-overrides": { "route-metric": nic.metric },
      "dhcp-identifier": "mac",
      ...(i === 0 && input.dnsAddresses.length > 0
        ? { nameservers: { addresses: input.dnsAddresses } }
        : {}),
      ...(input.optional ? { optional: true } : {}),
    };
  });
  const doc = new Document({ version: 2, ethernets }, { version: "1.1" });
  const nics = doc.get("ethernets");
  if (isMap(nics)) {
    for (const item of nics.items) {
      const mac = isMap(item.value)
        ? item.value.getIn(["match", "macaddress"], true)
        : undefined;
      // A MAC made of digits only would be a base-60 integer to a YAML 1.1 reader.
      if (isScalar(mac)) (mac as Scalar).type = "QUOTE_SINGLE";
    }
  }
  return doc.toString({ lineWidth: 0 });
}
