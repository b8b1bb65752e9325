/**
 * What each command and flag completes, as Lima registers it (`ValidArgsFunction` and
 * `RegisterFlagCompletionFunc` in Lima's `cmd/limactl/`). Commands not named here complete
 * file names, as cobra does by default.
 */
import { completeDiskNames } from "../../core/completion/disk_names.ts";
import {
  type Completion,
  Directive,
  fixedValues,
} from "../../core/completion/directive.ts";
import { cpuChoices, memoryChoices } from "../../core/completion/host_sizes.ts";
import { completeInstanceNames } from "../../core/completion/instance_names.ts";
import { completeNetworkNames } from "../../core/completion/network_names.ts";
import { completeSetExpression } from "../../core/completion/set_expressions.ts";
import { completeTemplateNames } from "../../core/completion/template_names.ts";
import { ARCH_FLAG_ORDER } from "../../core/config/edit_flags.ts";
import { SSH_FORMATS } from "../../core/ssh/format.ts";
import type { Completer, CompletionTable } from "./tree.ts";

/** The names of the VM drivers (built-in and installed), for `--vm-type`. */
export type DriverNames = () => Promise<string[]>;

/** Commands that take instance names (Lima's `bashCompleteInstanceNames`). */
const INSTANCE_COMMANDS = [
  "autostart disable",
  "autostart enable",
  "start-at-login",
  "stop",
  "restart",
  "list",
  "delete",
  "shell",
  "edit",
  "clone",
  "factory-reset",
  "protect",
  "unprotect",
  "show-ssh",
  "snapshot apply",
  "snapshot create",
  "snapshot delete",
  "snapshot list",
  "tunnel",
  "watch",
];

/** Commands that take disk names (Lima's `bashCompleteDiskNames`). */
const DISK_COMMANDS = [
  "disk delete",
  "disk unlock",
  "disk resize",
  "disk import",
];

/** Commands with the edit flags (Lima's `editflags.RegisterEdit`). */
const EDIT_COMMANDS = ["create", "start", "edit", "clone", "rename", "restart"];

/** Commands with the flags only a new instance has (Lima's `editflags.RegisterCreate`). */
const CREATE_COMMANDS = ["create", "start"];

const noFiles: Completer = () => ({
  candidates: [],
  directive: Directive.noFileComp,
});

const fixed = (values: readonly string[]): Completer => () =>
  fixedValues(values);

/** Lima's `startBashComplete`: instances to start, templates to create one from, or a file. */
async function instancesAndTemplates(
  toComplete: string,
): Promise<Completion> {
  const templates = await completeTemplateNames(toComplete);
  return {
    candidates: [
      ...completeInstanceNames().candidates,
      ...templates.candidates,
    ],
    directive: Directive.default,
  };
}

function editFlags(drivers: DriverNames): Record<string, Completer> {
  return {
    cpus: fixed(cpuChoices(Math.max(1, navigator.hardwareConcurrency))),
    memory: () => fixedValues(memoryChoices(Deno.systemMemoryInfo().total)),
    "mount-type": fixed(["reverse-sshfs", "9p", "virtiofs"]),
    network: fixed([
      "lima:shared",
      "lima:bridged",
      "lima:host",
      "lima:user-v2",
      "vzNAT",
    ]),
    // Until Lima 2.0, 60022 was the SSH port of the instance "default".
    "ssh-port": fixed(["60022"]),
    disk: fixed(["10", "30", "50", "100", "200"]),
    "vm-type": async () => fixedValues(await drivers()),
    shell: fixed([
      "/bin/bash",
      "/bin/zsh",
      "cmd.exe",
      "powershell.exe",
      "pwsh.exe",
    ]),
    set: async (_args, toComplete) =>
      completeSetExpression(toComplete, await drivers()),
  };
}

const CREATE_FLAGS: Record<string, Completer> = {
  arch: fixed(ARCH_FLAG_ORDER),
  containerd: fixed(["user", "system", "user+system", "none"]),
  "port-forward": fixed(["8080:80", "3000:3000", "8080:80,static=true"]),
};

/** The completion table of limactl's commands. */
export function completionTable(drivers: DriverNames): CompletionTable {
  const args: Record<string, Completer> = {
    create: (_args, toComplete) => completeTemplateNames(toComplete),
    start: (_args, toComplete) => instancesAndTemplates(toComplete),
    "network list": () => completeNetworkNames(),
    prune: noFiles,
    "guest-install": noFiles,
    completion: noFiles,
    "completion bash": noFiles,
    "completion zsh": noFiles,
    "completion fish": noFiles,
    "completion powershell": noFiles,
  };
  for (const path of INSTANCE_COMMANDS) args[path] = completeInstanceNames;
  for (const path of DISK_COMMANDS) args[path] = completeDiskNames;

  const flags: Record<string, Record<string, Completer>> = {
    // Not completed by Lima; the values its help lists.
    "": {
      "log-level": fixed(["trace", "debug", "info", "warn", "error"]),
      "log-format": fixed(["text", "json"]),
    },
    list: { format: fixed(["json", "yaml", "table"]) },
    "show-ssh": { format: fixed(SSH_FORMATS) },
  };
  for (const path of EDIT_COMMANDS) flags[path] = editFlags(drivers);
  for (const path of CREATE_COMMANDS) {
    flags[path] = { ...flags[path], ...CREATE_FLAGS };
  }

  return {
    args,
    flags,
    repeatable: new Set([
      "dns",
      "mount",
      "mount-only",
      "network",
      "set",
      "param",
      "port-forward",
      "yq",
      "filter",
    ]),
    notInterspersed: new Set(["shell", "tunnel"]),
  };
}
