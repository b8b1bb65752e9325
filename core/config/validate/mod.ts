/**
 * Validation of a filled lima.yaml (Lima's `pkg/limayaml/validate.go`): every problem is
 * collected and reported at once, each naming the field path and what was expected. Each
 * section's rules live in their own file; they run in Lima's order, so errors come in it.
 */
import type { LimaYAML } from "../schema.ts";
import { type Check, newCheck, type ValidateOptions } from "./check.ts";
import { checkContainerd } from "./containerd.ts";
import { checkCopyToHost } from "./copy_to_host.ts";
import { checkDevices } from "./devices.ts";
import { checkDNS } from "./dns.ts";
import { checkBase, checkMinimumLimaVersion } from "./document.ts";
import { checkImages } from "./images.ts";
import { checkMountType } from "./mount_type.ts";
import { checkMounts } from "./mounts.ts";
import { checkNetworks } from "./networks.ts";
import { checkParam } from "./param.ts";
import { checkPlatform } from "./platform.ts";
import { checkSSH } from "./port.ts";
import { checkPortForwards } from "./port_forwards.ts";
import { type Problem, ValidationError } from "./problem.ts";
import { checkProbes } from "./probes.ts";
import { checkProvision } from "./provision.ts";
import { checkResources } from "./resources.ts";
import { checkTimezone } from "./timezone.ts";
import { checkUser } from "./user.ts";
import { checkVMOpts } from "./vm_opts.ts";

export type { ValidateOptions } from "./check.ts";
export type { DriverRules, DriverRulesTable } from "./driver_rules.ts";
export { type Problem, ValidationError } from "./problem.ts";

/** The section validators, in the order their problems are reported. */
const SECTIONS: ((c: Check) => void)[] = [
  checkBase,
  checkMinimumLimaVersion,
  checkVMOpts,
  checkPlatform,
  checkUser,
  checkImages,
  checkResources,
  checkMounts,
  checkMountType,
  checkSSH,
  checkProvision,
  checkContainerd,
  checkProbes,
  checkPortForwards,
  checkCopyToHost,
  checkDNS,
  checkNetworks,
  checkParam,
  checkTimezone,
  checkDevices,
];

/** Throws a `ValidationError` listing every problem of the filled config Y. */
export function validateLimaYAML(
  y: LimaYAML,
  options: ValidateOptions,
): void {
  const problems = limaYAMLProblems(y, options);
  if (problems.length > 0) throw new ValidationError(problems, options.file);
}

/** Every problem of the filled config Y (empty when it is valid). */
export function limaYAMLProblems(
  y: LimaYAML,
  options: ValidateOptions,
): Problem[] {
  const problems: Problem[] = [];
  const check = newCheck(y, options, problems);
  for (const section of SECTIONS) section(check);
  return problems;
}
