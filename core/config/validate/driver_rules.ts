/**
 * What the core needs to know about each registered driver, as its manifest declares it
 * (`validation` in `plugins/contract.ts`): the rules validation applies, and the few facts
 * listing, `limactl shell`, the seed and the host agent depend on. They are data, so every
 * configuration validates on every host without loading a driver, and the core names none.
 */
export interface DriverRules {
  /** Guest OSes besides Linux the driver runs; `os: Windows` must name a driver listing it. */
  guestOSes?: readonly string[];
  /** `user.passwordlessSudo: false` is refused: the driver's guests always have it. */
  requiresPasswordlessSudo?: boolean;
  /** How messages name the driver's guests (`WSL2`); defaults to the driver name. */
  guestLabel?: string;
  /** `mountType` values the driver accepts besides Lima's mount types (qemu's `default`). */
  extraMountTypes?: readonly string[];
  /** Network attachments only this driver provides (`vzNAT`). */
  networks?: readonly string[];
  /**
   * The driver sizes its guests itself, so `cpus`, `memory` and `disk` do not apply and
   * instances list them as 0 (Lima's `pkg/store/instance.go` does so for WSL2).
   */
  fixedResources?: boolean;
  /**
   * The guest sees the host's file system beyond `mounts`, so `limactl shell` starts in the
   * host's working directory wherever it is (Lima's `cmd/limactl/shell.go`, for WSL2).
   */
  guestSeesHostFiles?: boolean;
  /**
   * The driver's user-mode network answers DNS at its gateway, so the guest asks there
   * (Lima's `pkg/cidata/cidata.go`, for vz).
   */
  dnsAtGateway?: boolean;
  /**
   * The guest's name servers are the host agent's DNS server (`hostResolver`, started as in
   * Lima's `pkg/hostagent/hostagent.go`), reached through the driver's user-mode network.
   */
  usesHostResolver?: boolean;
}

/** The registered drivers by `vmType`, with the rules their manifests declare. */
export type DriverRulesTable = Readonly<Record<string, DriverRules>>;

/** The names of the drivers whose rules satisfy WHICH, in table order. */
export function driversWhere(
  drivers: DriverRulesTable,
  which: (rules: DriverRules) => boolean | undefined,
): string[] {
  return Object.entries(drivers).filter(([, rules]) => which(rules)).map((
    [name],
  ) => name);
}
