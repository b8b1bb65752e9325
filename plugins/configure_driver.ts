/**
 * Binding a driver to its instance before use, as Lima's host agent and `limactl start` both
 * do: fill the driver's defaults, then validate the result.
 */
import type { LimaYAML } from "../core/config/schema.ts";
import { formatDiagnostic, LimaError } from "../core/errors.ts";
import { logger } from "../core/log.ts";
import type { Driver } from "./contract.ts";

/** DRIVER's configured instance; its warnings are logged and its errors thrown as one. */
export async function configureDriver(driver: Driver): Promise<LimaYAML> {
  const configured = await driver.configure();
  const problems = await driver.validate();
  for (const p of problems.filter((p) => p.severity === "warning")) {
    logger.warn(formatDiagnostic(p));
  }
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length > 0) {
    throw new LimaError({
      summary: "failed to validate the instance YAML after filling defaults",
      detail: errors.map(formatDiagnostic).join("; "),
    });
  }
  return configured;
}
