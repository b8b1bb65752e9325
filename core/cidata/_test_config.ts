/** Shared fixtures for the cidata tests: a filled config for a fixed host, and seed helpers. */
import { fillDefaults } from "../config/fill.ts";
import type { HostInfo } from "../config/host.ts";
import { parseLimaYAML } from "../config/parse.ts";
import type { IsoFile } from "./iso9660.ts";
import { seedFiles, type SeedOptions } from "./seed.ts";

export const HOST: HostInfo = {
  arch: "x86_64",
  os: "linux",
  cpus: 4,
  memory: 8 * 1024 ** 3,
  user: {
    name: "alice",
    uid: 501,
    comment: "Alice Liddell",
    home: "/home/alice",
  },
  timezone: "Europe/Berlin",
};
export const INST_DIR = "/lima/home/dev";
export const MACHINE_ID = "0123456789abcdef";
export const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbc alice@host";

/** The options for instance `dev` with lima.yaml TEXT filled for {@link HOST}. */
export function seedOptions(
  text: string,
  extra: Partial<SeedOptions> = {},
): SeedOptions {
  const config = fillDefaults(parseLimaYAML(text, { file: "lima.yaml" }), {
    instDir: INST_DIR,
    name: "dev",
    host: HOST,
    machineID: MACHINE_ID,
    warn: () => {},
    defaultVMType: () => "qemu",
  });
  config.mountType ??= "9p";
  return {
    config,
    name: "dev",
    instDir: INST_DIR,
    sshPublicKeys: [KEY],
    sshLocalPort: 60022,
    instanceID: "iid-1700000000",
    hostEnv: {},
    machineID: MACHINE_ID,
    hostHome: HOST.user.home,
    ...extra,
  };
}

export const IMAGES = "images: [{location: /images/debian.qcow2}]\n";

/** The text of seed file PATH (throws when it is missing). */
export function seedText(files: IsoFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  if (!file) {
    throw new Error(
      `${path} is not in the seed: ${files.map((f) => f.path).join(", ")}`,
    );
  }
  return new TextDecoder().decode(file.data);
}

/** The seed of lima.yaml TEXT. */
export function seed(
  text: string,
  extra: Partial<SeedOptions> = {},
): IsoFile[] {
  return seedFiles(seedOptions(IMAGES + text, extra));
}
