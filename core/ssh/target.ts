/** Where and as whom to log in to an instance, derived from its inspected record. */
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import type { Instance } from "../instance/record.ts";
import { identityFiles } from "./keys.ts";
import { detectOpenSSH, sshOptions } from "./options.ts";

export interface SSHTarget {
  /** The instance name (for messages). */
  name: string;
  instDir: string;
  host: string;
  port: number;
  user: string;
  /** Private key files to offer, in order. */
  identityFiles: string[];
  forwardAgent: boolean;
}

/** The SSH target of INST; throws when its configuration or port is unknown. */
export async function sshTarget(inst: Instance): Promise<SSHTarget> {
  const user = inst.config?.user?.name;
  if (!inst.config || !user) {
    throw new LimaError({
      summary: `instance ${quote(inst.name)} has no usable configuration`,
      detail: inst.errors.join("; ") || undefined,
    });
  }
  if (!inst.sshLocalPort) {
    throw new LimaError({
      summary: `the SSH port of instance ${quote(inst.name)} is not known yet`,
      hint: `run \`limactl start ${inst.name}\``,
    });
  }
  return {
    name: inst.name,
    instDir: inst.dir,
    host: inst.sshAddress || "127.0.0.1",
    port: inst.sshLocalPort,
    user,
    identityFiles: await identityFiles({
      loadDotSSHPubKeys: inst.config.ssh?.loadDotSSHPubKeys ?? false,
    }),
    forwardAgent: inst.config.ssh?.forwardAgent ?? false,
  };
}

/** `USER@ADDRESS` of INST's guest, as OpenSSH's tools name the other end. */
export function guestLogin(inst: Instance): string {
  return `${inst.config?.user?.name}@${inst.sshAddress || "127.0.0.1"}`;
}

/** The OpenSSH options of INST in Lima's order, without `Hostname` and `Port`. */
export async function instanceSSHOptions(inst: Instance): Promise<string[]> {
  const ssh = inst.config?.ssh;
  return sshOptions({
    instDir: inst.dir,
    user: inst.config?.user?.name ?? "",
    identityFiles: await identityFiles({
      loadDotSSHPubKeys: ssh?.loadDotSSHPubKeys ?? false,
    }),
    forwardAgent: ssh?.forwardAgent ?? false,
    forwardX11: ssh?.forwardX11 ?? false,
    forwardX11Trusted: ssh?.forwardX11Trusted ?? false,
    features: await detectOpenSSH(),
  });
}
