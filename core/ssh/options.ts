/**
 * The ordered OpenSSH client options Lima uses for every connection and writes into
 * `ssh.config` (Lima's `pkg/sshutil/sshutil.go`), as `Key=Value` strings.
 */
import { join } from "node:path";
import { LimaError } from "../errors.ts";
import { InstanceFiles } from "../store/paths.ts";

/** What the host's OpenSSH client supports; it decides two of the options. */
export interface OpenSSHFeatures {
  /** `[major, minor]` of `ssh -V`, or undefined when there is no OpenSSH client. */
  version?: [number, number];
  /** Whether the client knows `GSSAPIAuthentication`. */
  gssapi: boolean;
  /** Whether the CPU has AES instructions (then AES-GCM beats ChaCha20). */
  aesAccelerated: boolean;
}

export interface SSHOptionsInput {
  instDir: string;
  /** The guest user name. */
  user: string;
  /** Private key files, Lima's own first (see `identityFiles`). */
  identityFiles: string[];
  forwardAgent?: boolean;
  forwardX11?: boolean;
  forwardX11Trusted?: boolean;
  features: OpenSSHFeatures;
}

/** The options in Lima's order; throws when a value would break out of its line. */
export function sshOptions(input: SSHOptionsInput): string[] {
  const opts = input.identityFiles.map((file) => `IdentityFile="${file}"`);
  opts.push(
    "StrictHostKeyChecking=no",
    "UserKnownHostsFile=/dev/null",
    "NoHostAuthenticationForLocalhost=yes",
    "PreferredAuthentications=publickey",
    "Compression=no",
    "BatchMode=yes",
    "IdentitiesOnly=yes",
  );
  if (input.features.gssapi) opts.push("GSSAPIAuthentication=no");
  opts.push(`Ciphers="${ciphers(input.features)}"`);
  opts.push(
    `User=${input.user}`,
    "ControlMaster=auto",
    `ControlPath="${join(input.instDir, InstanceFiles.sshSock)}"`,
    "ControlPersist=yes",
  );
  if (input.forwardAgent) opts.push("ForwardAgent=yes");
  if (input.forwardX11) opts.push("ForwardX11=yes");
  if (input.forwardX11Trusted) opts.push("ForwardX11Trusted=yes");
  for (const opt of opts) {
    if (/[\r\n]/.test(opt)) {
      throw new LimaError({
        summary: `invalid SSH option ${JSON.stringify(opt)}`,
        detail: "options must not contain a line break",
      });
    }
  }
  return opts;
}

/** `^` (prefer these) needs OpenSSH 8.1; without AES instructions ChaCha20 is faster. */
function ciphers(features: OpenSSHFeatures): string {
  const [major, minor] = features.version ?? [Infinity, 0];
  const caretSupported = major > 8 || (major === 8 && minor >= 1);
  if (caretSupported && features.aesAccelerated) {
    return "^aes128-gcm@openssh.com,aes256-gcm@openssh.com";
  }
  return "^chacha20-poly1305@openssh.com";
}

/** Splits `Key=Value` at the first `=`. */
export function splitOption(option: string): [string, string] {
  const at = option.indexOf("=");
  return at < 0 ? [option, ""] : [option.slice(0, at), option.slice(at + 1)];
}

let detected: Promise<OpenSSHFeatures> | undefined;

/** Asks the host's `ssh` what it supports (once per process). */
export function detectOpenSSH(): Promise<OpenSSHFeatures> {
  detected ??= probeOpenSSH();
  return detected;
}

async function probeOpenSSH(): Promise<OpenSSHFeatures> {
  const aesAccelerated = await hasAESInstructions();
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("ssh", {
      args: ["-o", "GSSAPIAuthentication=no", "-V"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch {
    return { gssapi: true, aesAccelerated };
  }
  const text = new TextDecoder().decode(output.stderr) +
    new TextDecoder().decode(output.stdout);
  const m = /OpenSSH_(?:for_Windows_)?(\d+)\.(\d+)/.exec(text);
  return {
    version: m ? [Number(m[1]), Number(m[2])] : undefined,
    gssapi: output.success && !/Unsupported option/i.test(text),
    aesAccelerated,
  };
}

async function hasAESInstructions(): Promise<boolean> {
  if (Deno.build.arch !== "x86_64") return true;
  if (Deno.build.os !== "linux") return true;
  try {
    const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
    return /^flags\s*:.*\baes\b/m.test(cpuinfo);
  } catch {
    return false;
  }
}
