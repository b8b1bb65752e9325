/**
 * Instance and disk name rules (Lima's `pkg/identifiers/validate.go`), checked before anything
 * touches the disk.
 */
import { LimaError } from "../errors.ts";
import { quote } from "../quote.ts";
import { InstanceFiles, joinPath } from "./paths.ts";

/** The instance commands use when none is named (Lima's `DefaultInstanceName`). */
export const DEFAULT_INSTANCE = "default";

const IDENTIFIER_MAX_LENGTH = 76;
const IDENTIFIER_RE = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

/** Why NAME is not an identifier (containerd's rule), or undefined when it is one. */
export function identifierProblem(name: string): string | undefined {
  if (name === "") return "identifier must not be empty";
  if (name.length > IDENTIFIER_MAX_LENGTH) {
    return `identifier ${
      quote(name)
    } greater than maximum length (${IDENTIFIER_MAX_LENGTH} characters)`;
  }
  if (!IDENTIFIER_RE.test(name)) {
    return `identifier ${quote(name)} must match ${IDENTIFIER_RE.source}`;
  }
  return undefined;
}

/** Why NAME cannot name an instance, or undefined when it can. */
export function instanceNameProblem(name: string): string | undefined {
  const problem = identifierProblem(name);
  if (problem) {
    return `instance name ${quote(name)} is not a valid identifier: ${problem}`;
  }
  if (/\.ya?ml$/i.test(name)) {
    return `instance name ${
      quote(name)
    } must not end with .yml or .yaml suffix`;
  }
  return undefined;
}

/** Whether NAME can name an instance (used to tell instance names from template locators). */
export function isValidInstanceName(name: string): boolean {
  return instanceNameProblem(name) === undefined;
}

/** Throws unless NAME is a valid instance name. */
export function validateInstanceName(name: string): void {
  const problem = instanceNameProblem(name);
  if (problem) throw new LimaError({ summary: problem });
}

/** Throws unless NAME is a valid disk name (the identifier rule). */
export function validateDiskName(name: string): void {
  const problem = identifierProblem(name);
  if (problem) {
    throw new LimaError({
      summary: `disk name ${quote(name)} is not a valid identifier`,
      detail: problem,
    });
  }
}

/** The longest socket path an instance may need: `ssh.sock` plus ssh's random suffix. */
const LONGEST_SOCKET = `${InstanceFiles.sshSock}.1234567890123456`;

/** The platform's limit on UNIX socket paths (`sun_path`). */
export function unixPathMax(): number {
  return Deno.build.os === "darwin" || Deno.build.os === "freebsd" ||
      Deno.build.os === "netbsd"
    ? 104
    : 108;
}

/** Throws when the sockets of an instance in INSTDIR would exceed the platform's path limit. */
export function checkSocketPathLength(name: string, instDir: string): void {
  const longest = joinPath(instDir, LONGEST_SOCKET);
  const max = unixPathMax();
  if (longest.length >= max) {
    throw new LimaError({
      summary: `instance name ${quote(name)} too long: ${
        quote(longest)
      } must be less than UNIX_PATH_MAX=${max} characters, but is ${longest.length}`,
    });
  }
}

/** The guest host name of an instance: `lima-` + name with `.` and `_` turned into `-`. */
export function hostnameOf(name: string): string {
  return `lima-${name.replace(/[._]/g, "-")}`;
}
