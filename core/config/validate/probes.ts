/** `probes`: readiness scripts. */
import { quote } from "../../quote.ts";
import { PROBE_MODES } from "../schema.ts";
import type { Check } from "./check.ts";
import { checkFileRef } from "./file_ref.ts";
import { field } from "./messages.ts";

export function checkProbes(c: Check): void {
  c.y.probes?.forEach((probe, i) => {
    const path = `probes[${i}]`;
    checkFileRef(c, path, probe.file, "script");
    if (!(probe.script ?? "").startsWith("#!")) {
      c.fail(
        `${path}.script`,
        `${field(`${path}.script`)} must start with a '#!' line`,
      );
    }
    if (
      probe.mode != null &&
      !(PROBE_MODES as readonly string[]).includes(probe.mode)
    ) {
      c.fail(
        `${path}.mode`,
        `${field(`${path}.mode`)} can only be ${
          PROBE_MODES.map((m) => `\`${m}\``).join(", ")
        }, got ${quote(probe.mode)}`,
      );
    }
  });
}
