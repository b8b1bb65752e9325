/**
 * The guest checks the host agent runs over SSH before it reports the instance running (Lima's
 * `pkg/hostagent/requirements.go`): essential ones (SSH works, the boot reset the user session),
 * optional ones (containerd, readiness probes) and the final one (the boot scripts finished).
 */
import type { LimaYAML } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { logger } from "../log.ts";
import { shellQuote } from "../shell_quote.ts";
import { sleep } from "../sleep.ts";

export interface Requirement {
  description: string;
  /**
   * A script with a `#!` line; it runs with its body on stdin. Without one, an open SSH
   * connection meets the requirement.
   */
  script?: string;
  /** What to look at when the requirement is never met. */
  debugHint: string;
  /** When it fails, the rest of its group is not checked. */
  fatal?: boolean;
  /** A user script that may use `PARAM_*` from `param.env`. */
  userScript?: boolean;
  /** Receives the script's standard output when it succeeds. */
  onSuccess?: (stdout: string) => void;
}

export type RequirementGroup = "essential" | "optional" | "final";

function bash(body: string): string {
  return `#!/bin/bash\nset -eu\n${body}\n`;
}

/** How long one attempt of a marker requirement waits in the guest (seconds). */
const MARKER_WAIT_SECONDS = 10;

/**
 * A bash command printing the file at PATH, or nothing when there is none, with builtins only:
 * an emulated guest pays for each process it starts while the host waits for READY.
 */
export function printFileScript(path: string): string {
  const q = shellQuote(path);
  return `{ [ ! -s ${q} ] || while IFS= read -r line || [ -n "$line" ]; do printf '%s\\n' "$line"; done <${q}; }`;
}

/** Prints the failed provisions the boot scripts recorded (see `util/provision_run.sh`). */
export const READ_PROVISION_ERRORS = printFileScript(
  "/run/lima-provision-errors",
);

/**
 * A script that succeeds once the boot scripts have written IID to MARKER, waiting up to
 * WAIT_SECONDS for it in the guest, and then runs FOUND. Waiting there, with bash builtins
 * only, replaces many SSH round trips, each of which costs an emulated guest a new session
 * and a shell.
 */
export function markerScript(
  marker: string,
  iid: string,
  waitSeconds = MARKER_WAIT_SECONDS,
  found = ":",
): string {
  const q = shellQuote;
  return bash([
    `for ((i = 0; i < ${Math.max(1, Math.round(waitSeconds * 5))}; i++)); do`,
    `  seen=; read -r seen 2>/dev/null <${q(marker)} || true; [ "$seen" = ${
      q(iid)
    } ] && { ${found}; exit 0; }`,
    // A pipe this shell holds both ends of: `read -t` on it is a sleep without a process. It
    // costs one, so it is made only once the marker is found missing.
    "  ((i)) || exec 3<> <(:)",
    "  read -r -t 0.2 -u 3 _ || true",
    "done",
    "exit 1",
  ].join("\n"));
}

/** The essential requirements of a guest booted with the instance id IID. */
export function essentialRequirements(
  config: LimaYAML,
  iid: string,
): Requirement[] {
  const list: Requirement[] = [{
    description: "ssh",
    script: bash("true"),
    debugHint:
      `the guest's SSH server did not accept a login on the forwarded port. Check that no other ` +
      `process uses the port set in "ssh.localPort", and that the boot got as far as starting sshd ` +
      `(see the serial log)`,
  }];
  const linux = (config.os ?? "Linux") === "Linux";
  if (!linux || config.plain) {
    list.push(controlMaster());
    return list;
  }
  list.push({
    description: "user session is ready for ssh",
    script: markerScript("/run/lima-ssh-ready", iid),
    debugHint:
      "the boot scripts end the user's sessions after changing /etc/environment and then " +
      "write /run/lima-ssh-ready; that has not happened yet",
  });
  if (
    config.mountType === "reverse-sshfs" && (config.mounts ?? []).length > 0
  ) {
    list.push({
      description: "sshfs binary to be installed",
      script: bash("command -v sshfs"),
      debugHint:
        "sshfs is needed for reverse-sshfs mounts; see /var/log/cloud-init-output.log in the guest",
    }, {
      description: "fuse to allow_other as user",
      script: markerScript("/run/lima-fuse-ready", iid),
      debugHint:
        "the boot scripts enable user_allow_other in /etc/fuse.conf and then write /run/lima-fuse-ready",
    });
  } else {
    list.push(controlMaster());
  }
  return list;
}

/**
 * Lima opens its ControlMaster here by running `true`. The host agent's pooled connection is
 * that persistent connection, and the requirements before this one have just run commands
 * over it, so it only has to be open: another session would cost an emulated guest a shell.
 */
function controlMaster(): Requirement {
  return {
    description: "Explicitly start ssh ControlMaster",
    debugHint: "the persistent SSH connection to the guest could not be opened",
  };
}

/** The optional requirements: containerd's and the template's readiness probes. */
export function optionalRequirements(config: LimaYAML): Requirement[] {
  const list: Requirement[] = [];
  const linux = (config.os ?? "Linux") === "Linux";
  const containerd = config.containerd?.system || config.containerd?.user;
  if (linux && !config.plain && containerd) {
    const prefix = config.guestInstallPrefix || "/usr/local";
    list.push({
      description: "systemd must be available",
      fatal: true,
      script: bash("command -v systemctl"),
      debugHint: "containerd needs systemd in the guest",
    }, {
      description: "containerd binaries to be installed",
      script: bash(
        `command -v nerdctl || test -x ${shellQuote(`${prefix}/bin/nerdctl`)}`,
      ),
      debugHint:
        "the nerdctl archive is installed by the boot scripts; see /var/log/cloud-init-output.log in the guest",
    });
  }
  for (const probe of config.probes ?? []) {
    if (!probe.script) continue;
    list.push({
      description: probe.description ?? "probe",
      script: probe.script,
      debugHint: probe.hint ?? "",
      userScript: true,
    });
  }
  return list;
}

/**
 * The last requirement: the boot scripts of this boot (instance id IID) finished. Its output,
 * passed to ON_SUCCESS, is what `provisionFailures` parses, which saves a round trip.
 */
export function finalRequirement(
  iid: string,
  onSuccess?: (stdout: string) => void,
): Requirement {
  return {
    description: "boot scripts must have finished",
    script: markerScript(
      "/run/lima-boot-done",
      iid,
      MARKER_WAIT_SECONDS,
      READ_PROVISION_ERRORS,
    ),
    onSuccess,
    debugHint:
      "provisioning scripts and probes must finish before the instance is ready; " +
      "see /var/log/cloud-init-output.log in the guest for where the boot stopped",
  };
}

/**
 * The remote command and stdin that run SCRIPT: the interpreter of its `#!` line with the
 * body on stdin. User scripts first get the `PARAM_*` variables of the cidata `param.env`.
 */
export function scriptCommand(
  script: string,
  options: { params?: boolean } = {},
): { command: string; stdin: string } {
  const m = /^#!(.*)\n/.exec(script);
  const interpreter = m ? m[1].trim() : "/bin/sh";
  const body = m ? script.slice(m[0].length) : script;
  if (!options.params) return { command: interpreter, stdin: body };
  const prelude = [
    'param_env="$(sudo cat /mnt/lima-cidata/param.env 2>/dev/null)"',
    'while read -r line; do [ -n "$line" ] && export "$line"; done <<EOF',
    "${param_env}",
    "EOF",
    interpreter,
  ].join("\n");
  return { command: `/bin/bash -c ${shellQuote(prelude)}`, stdin: body };
}

/** Runs one script in the guest: resolves to undefined when it succeeded, else the reason. */
export type ScriptRunner = (
  requirement: Requirement,
  signal: AbortSignal,
) => Promise<string | undefined>;

export interface CheckOptions {
  /** How long each requirement may take before it fails; default 10 minutes. */
  timeoutMs?: number;
  /** Pause between attempts; default 1 s. */
  intervalMs?: number;
  signal: AbortSignal;
  /** Told the description of each requirement once it is satisfied (a boot phase). */
  onSatisfied?: (description: string) => void;
}

/**
 * Checks LIST in order, retrying each until it succeeds or its time is up; returns the
 * errors of the requirements that failed (a fatal one ends the group).
 */
export async function checkRequirements(
  group: RequirementGroup,
  list: Requirement[],
  run: ScriptRunner,
  options: CheckOptions,
): Promise<string[]> {
  const errors: string[] = [];
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const intervalMs = options.intervalMs ?? 1000;
  for (const [i, req] of list.entries()) {
    const n = `${i + 1} of ${list.length}`;
    logger.info(
      `Waiting for the ${group} requirement ${n}: ${
        JSON.stringify(req.description)
      }`,
    );
    const deadline = Date.now() + timeoutMs;
    let failure: string | undefined;
    for (;;) {
      options.signal.throwIfAborted();
      try {
        failure = await run(req, options.signal);
      } catch (err) {
        options.signal.throwIfAborted();
        failure = errorMessage(err);
      }
      if (failure === undefined || Date.now() >= deadline) break;
      logger.debug(`${group} requirement ${n} not satisfied yet`, {
        reason: failure,
      });
      await sleep(intervalMs, options.signal);
    }
    if (failure === undefined) {
      logger.info(`The ${group} requirement ${n} is satisfied`);
      options.onSatisfied?.(req.description);
      continue;
    }
    errors.push(
      `failed to satisfy the ${group} requirement ${n} ${
        JSON.stringify(req.description)
      }: ${req.debugHint}: ${failure}`,
    );
    if (req.fatal) {
      logger.info(
        `No further ${group} requirements will be checked`,
      );
      break;
    }
  }
  return errors;
}

/**
 * The provisions that failed during the boot, from the output of READ_PROVISION_ERRORS run once
 * the boot scripts are done: one message each, naming the provision, its exit status and its
 * last output lines.
 */
export function provisionFailures(output: string): string[] {
  const text = output.trimEnd();
  // Each failure starts at an unindented line; its output lines are indented.
  return text ? text.split(/\n(?=\S)/) : [];
}
