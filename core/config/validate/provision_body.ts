/** What a `provision[i]` step runs or writes: a script, a playbook, or a file's content/expression. */
import { posix } from "node:path";
import { quote } from "../../quote.ts";
import { type Provision, YQ_FORMATS } from "../schema.ts";
import type { Check } from "./check.ts";
import { field, quotedList } from "./messages.ts";

/** Checks the body of step P at PATH, whose MODE is one of `PROVISION_MODES`. */
export function checkProvisionBody(
  c: Check,
  path: string,
  p: Provision,
  mode: string,
): void {
  if (mode === "data" || mode === "yq") checkFileStep(c, path, p, mode);
  else if (mode === "ansible") checkAnsible(c, path, p);
  else if (!p.script) {
    c.fail(`${path}.script`, `${field(`${path}.script`)} must not be empty`);
  }
}

/** `data` writes `content` to `path`; `yq` edits `path` with `expression`. */
function checkFileStep(
  { fail }: Check,
  path: string,
  p: Provision,
  mode: string,
): void {
  const f = (name: string) => field(`${path}.${name}`);
  if (!p.path) {
    fail(
      `${path}.path`,
      `${f("path")} must not be empty when mode is ${JSON.stringify(mode)}`,
    );
  } else if (!posix.isAbsolute(p.path)) {
    fail(
      `${path}.path`,
      `${f("path")} must be an absolute path, got ${quote(p.path)}`,
    );
  }
  if (mode === "data" && p.content == null) {
    fail(
      `${path}.content`,
      `${f("content")} must not be empty when mode is "data"`,
    );
  }
  if (mode === "yq" && !p.expression) {
    fail(
      `${path}.expression`,
      `${f("expression")} must not be empty when mode is "yq"`,
    );
  }
  if (
    mode === "yq" && p.format != null &&
    !(YQ_FORMATS as readonly string[]).includes(p.format)
  ) {
    fail(
      `${path}.format`,
      `${f("format")} must be one of ${quotedList(YQ_FORMATS)}, got ${
        quote(p.format)
      }`,
    );
  }
  if (p.permissions != null && !/^[0-7]+$/.test(p.permissions)) {
    fail(
      `${path}.permissions`,
      `${f("permissions")} must be an octal number, got ${
        quote(p.permissions)
      }`,
    );
  }
  if (p.script) {
    fail(
      `${path}.script`,
      `${f("script")} can only be set when mode is not ${JSON.stringify(mode)}`,
    );
  }
}

/** The deprecated `ansible` mode names a playbook on the host. */
function checkAnsible({ fail, warn }: Check, path: string, p: Provision): void {
  const f = (name: string) => field(`${path}.${name}`);
  if (p.script) {
    fail(`${path}.script`, `${f("script")} must be empty if playbook is set`);
  }
  if (!p.playbook) {
    fail(
      `${path}.playbook`,
      `${f("playbook")} must be set when mode is "ansible"`,
    );
    return;
  }
  try {
    Deno.statSync(p.playbook);
  } catch (err) {
    fail(
      `${path}.playbook`,
      `${f("playbook")} refers to an inaccessible path: ${quote(p.playbook)}: ${
        (err as Error).message
      }`,
    );
  }
  warn(
    `provision mode \`ansible\` is deprecated, use \`ansible-playbook ${p.playbook}\` instead`,
  );
}
