/**
 * Deprecated `ansible` provisions (Lima's `pkg/instance/ansible.go`): once the host agent reports
 * the instance running, `limactl start` runs each playbook from the host with `ansible-playbook`
 * against an inventory that reaches the guest through the instance's `ssh.config`, with the
 * `param` values as `PARAM_*` environment variables.
 */
import { join } from "node:path";
import { stringify } from "yaml";
import type { LimaYAML } from "../config/schema.ts";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { InstanceFiles } from "../store/paths.ts";

/** The inventory `ansible-playbook` gets: the instance as host `lima-NAME`. */
export function ansibleInventory(name: string, instDir: string): string {
  const sshConfig = join(instDir, InstanceFiles.sshConfig);
  return stringify({
    all: {
      hosts: {
        [`lima-${name}`]: {
          ansible_connection: "ssh",
          ansible_ssh_common_args: `-F "${sshConfig}"`,
        },
      },
    },
  });
}

export interface AnsibleOptions {
  /** The `ansible-playbook` command; default from $PATH. */
  command?: string;
}

/** Runs the ansible playbooks of CONFIG in order; throws when one fails. */
export async function runAnsibleProvisions(
  config: LimaYAML,
  name: string,
  instDir: string,
  options: AnsibleOptions = {},
): Promise<void> {
  const playbooks = (config.provision ?? []).filter((p) =>
    p.mode === "ansible" && p.playbook
  ).map((p) => p.playbook!);
  if (playbooks.length === 0) return;
  const inventory = join(instDir, "ansible-inventory.yaml");
  await writeFileAtomic(inventory, ansibleInventory(name, instDir));
  const params = Object.fromEntries(
    Object.entries(config.param ?? {}).map(([k, v]) => [`PARAM_${k}`, v]),
  );
  for (const playbook of playbooks) {
    logger.info(`Waiting for ansible playbook ${quote(playbook)}`);
    let status;
    try {
      status = await new Deno.Command(options.command ?? "ansible-playbook", {
        args: ["--inventory", inventory, playbook],
        env: { ...params, ANSIBLE_HOST_KEY_CHECKING: "False" },
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).output();
    } catch (err) {
      throw new LimaError({
        summary: `failed to run ansible-playbook for ${quote(playbook)}`,
        detail: (err as Error).message,
        hint: "install Ansible on the host, or provision with a script instead",
      });
    }
    if (status.code !== 0) {
      throw new LimaError({
        summary: `ansible playbook ${
          quote(playbook)
        } failed with exit status ${status.code}`,
      });
    }
  }
}
