/** `provision`: which fields each mode takes, and the mode-independent rules. */
import { quote } from "../../quote.ts";
import { type Provision, PROVISION_MODES } from "../schema.ts";
import type { Check } from "./check.ts";
import { checkFileRef } from "./file_ref.ts";
import { field, orList, quotedList } from "./messages.ts";
import { checkProvisionBody } from "./provision_body.ts";

/** Fields that only some modes take, with those modes. */
const ONLY_FOR: [keyof Provision, string[]][] = [
  ["content", ["data"]],
  ["overwrite", ["data"]],
  ["owner", ["data", "yq"]],
  ["path", ["data", "yq"]],
  ["permissions", ["data", "yq"]],
  ["expression", ["yq"]],
  ["format", ["yq"]],
  ["playbook", ["ansible"]],
];

/** Modes a Windows guest cannot run. */
const NOT_ON_WINDOWS = ["ansible", "boot", "yq"];

/** The field that the text of `file` is embedded into, by mode. */
const EMBEDDED_INTO: Record<string, string> = {
  data: "content",
  yq: "expression",
};

export function checkProvision(c: Check): void {
  c.y.provision?.forEach((p, i) => checkStep(c, `provision[${i}]`, p));
}

function checkStep(c: Check, path: string, p: Provision): void {
  const { fail } = c;
  const f = (name: string) => field(`${path}.${name}`);
  const mode = p.mode ?? "system";
  checkFileRef(c, path, p.file, EMBEDDED_INTO[mode] ?? "script");
  if (!(PROVISION_MODES as readonly string[]).includes(mode)) {
    fail(
      `${path}.mode`,
      `${f("mode")} must be one of ${quotedList(PROVISION_MODES)}, got ${
        quote(mode)
      }`,
    );
    return;
  }
  if (p.skipDefaultDependencyResolution != null && mode !== "dependency") {
    fail(
      `${path}.skipDefaultDependencyResolution`,
      `${
        f("skipDefaultDependencyResolution")
      } can only be set when mode is "dependency"`,
    );
  }
  if (c.os === "Windows" && NOT_ON_WINDOWS.includes(mode)) {
    fail(
      `${path}.mode`,
      `provision mode ${quote(mode)} is not supported on Windows VM`,
    );
  }
  for (const [name, modes] of ONLY_FOR) {
    if (p[name] != null && !modes.includes(mode)) {
      fail(
        `${path}.${name}`,
        `${f(name)} can only be set when mode is ${orList(modes)}`,
      );
    }
  }
  checkProvisionBody(c, path, p, mode);
  if (
    [p.script, p.content, p.expression].some((text) =>
      text?.includes("LIMA_CIDATA")
    )
  ) {
    c.warn(
      "provisioning scripts should not reference the LIMA_CIDATA variables",
    );
  }
}
