/**
 * `limactl create` (Lima's `cmd/limactl/start.go`, `pkg/instance/create.go`): turn a template
 * locator and the edit flags into an instance directory. Everything is validated before anything
 * is written, and the directory appears whole (built under a hidden name, then renamed) or not at
 * all.
 */
import { join } from "node:path";
import type { EditFlags } from "../config/edit_flags.ts";
import type { LimaYAML } from "../config/schema.ts";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import type { Select } from "../prompt.ts";
import { quote } from "../quote.ts";
import { syncDir } from "../store/atomic_write.ts";
import { inspectInstance } from "../instance/instance.ts";
import type { Instance } from "../instance/record.ts";
import { loadValidatedConfig } from "../instance/load_config.ts";
import { networkModes } from "../network/networks_yaml.ts";
import { lockInstance } from "../store/lock.ts";
import {
  checkSocketPathLength,
  DEFAULT_INSTANCE,
  isValidInstanceName,
  validateInstanceName,
} from "../store/names.ts";
import { instanceDir, InstanceFiles, limaHome } from "../store/paths.ts";
import { renameNoReplace } from "../store/rename_no_replace.ts";
import { removeStaleTemporaries, temporaryPath } from "../store/temporary.ts";
import { ensureUserKey } from "../store/user_key.ts";
import { VERSION } from "../version.ts";
import { saveRejectedYAML } from "./rejected_yaml.ts";
import { exists } from "../exists.ts";
import { assertHostSupported } from "../../plugins/guard.ts";
import type { DriverRegistry } from "../../plugins/registry.ts";
import { writeAllSynced } from "../store/write_all_synced.ts";

/** What `create` was asked for on the command line. */
export interface CreateRequest {
  /** The positional argument: an instance name, a template locator, `-`, or nothing. */
  arg?: string;
  /** `--name`. */
  name?: string;
  /** The edit-flag values as parsed by `addEditFlags`. */
  flags: EditFlags;
  /** Whether interactive UI is allowed. */
  tty: boolean;
  /** Whether `--tty` was given explicitly. */
  ttyExplicit?: boolean;
  /** Supplies the template for `-` (default: the process's stdin). */
  stdin?: () => Promise<string>;
  /** The driver registry; when given, a driver that cannot run on this host is refused. */
  drivers?: DriverRegistry;
  /**
   * Draws the menu shown before creating when interactive UI is allowed (Lima's
   * `chooseNextCreatorState`); without it the configuration is used as it is.
   */
  select?: Select;
  /** Opens the menu's editor; replaceable in tests. */
  edit?: (content: string, header: string) => Promise<string>;
}

/** The configuration a new instance will be created from. */
export interface NewInstanceConfig {
  name: string;
  /** lima.yaml text exactly as it will be stored. */
  text: string;
}

const REMOVED_TEMPLATES: Record<string, string> = {
  "experimental/vz":
    "template:experimental/vz was merged into the default template in Lima v1.0. See also <https://lima-vm.io/docs/config/vmtype/>.",
  "experimental/riscv64":
    "template:experimental/riscv64 was merged into the default template in Lima v1.0. Use `limactl create --arch=riscv64 template:default` instead.",
  "experimental/armv7l":
    "template:experimental/armv7l was merged into the default template in Lima v1.0. Use `limactl create --arch=armv7l template:default` instead.",
  "vmnet":
    "template:vmnet was removed in Lima v1.0. Use `limactl create --network=lima:shared template:default` instead. See also <https://lima-vm.io/docs/config/network/>.",
  "experimental/net-user-v2":
    "template:experimental/net-user-v2 was removed in Lima v1.0. Use `limactl create --network=lima:user-v2 template:default` instead. See also <https://lima-vm.io/docs/config/network/>.",
  "experimental/9p":
    "template:experimental/9p was removed in Lima v1.0. Use `limactl create --vm-type=qemu --mount-type=9p template:default` instead. See also <https://lima-vm.io/docs/config/mount/>.",
  "experimental/virtiofs-linux":
    "template:experimental/virtiofs-linux was removed in Lima v1.0. Use `limactl create --mount-type=virtiofs template:default` instead. See also <https://lima-vm.io/docs/config/mount/>.",
};

function alreadyExists(name: string): LimaError {
  return new LimaError({ summary: `instance ${quote(name)} already exists` });
}

/**
 * Resolves the template of a `create` request (locator, `base:` embedding, edit flags) into
 * the name and lima.yaml text of the new instance. Writes nothing.
 */
export async function resolveNewInstance(
  req: CreateRequest,
): Promise<NewInstanceConfig> {
  const [
    { readTemplate, templateName },
    { embedTemplate },
    { parseLimaYAML },
    { editFlagExpressions },
    {
      applyYq,
    },
  ] = await Promise.all([
    import("../template/locator.ts"),
    import("../template/embed.ts"),
    import("../config/parse.ts"),
    import("../config/edit_flags.ts"),
    import("../yq/mod.ts"),
  ]);
  const arg = req.arg ?? "";
  if (req.name) validateInstanceName(req.name);
  const removed = REMOVED_TEMPLATES[templateName(arg) ?? ""];
  if (removed) logger.warn(removed);
  let tty = req.tty;
  if (arg === "-") {
    if (!req.name) {
      throw new LimaError({
        summary:
          "must pass instance name with --name when reading template from stdin",
      });
    }
    if (req.ttyExplicit && req.tty) {
      throw new LimaError({
        summary: "cannot use --tty=true when reading template from stdin",
      });
    }
    tty = false;
  }

  let name: string;
  let template: { name: string; locator: string; text: string };
  if (arg === "" || isValidInstanceName(arg)) {
    name = req.name || DEFAULT_INSTANCE;
    if (arg !== "") {
      if (req.name && req.name !== arg) {
        throw new LimaError({
          summary: `instance name ${quote(arg)} and CLI flag --name=${
            quote(req.name)
          } cannot be specified together`,
        });
      }
      name = arg;
    }
    if (await exists(instanceDir(name))) throw alreadyExists(name);
    if (arg !== "" && arg !== DEFAULT_INSTANCE) {
      logger.info(
        `Creating an instance ${
          quote(name)
        } from template:default (Not from template:${name})`,
      );
      logger.warn(
        `This form is deprecated. Use \`limactl create --name=${name} template:default\` instead`,
      );
    }
    template = { ...(await readTemplate("template:default")), name };
  } else {
    template = await readTemplate(arg, { stdin: req.stdin });
    name = req.name || template.name;
    validateInstanceName(name);
    if (await exists(instanceDir(name))) throw alreadyExists(name);
  }

  const embedded = await embedTemplate(template, {
    embedAll: true,
    defaultBase: true,
  });
  const y: LimaYAML = parseLimaYAML(embedded.text, { file: embedded.locator });
  if (y.os && y.os !== "Linux") {
    logger.warn("Support for non-Linux guests is experimental");
  }
  const expressions = editFlagExpressions(req.flags, {
    isNew: true,
    declaredParams: Object.keys(y.param ?? {}),
  });
  const yq = expressions.join(" | ");
  if (tty && req.select) {
    const { chooseNextCreatorState } = await import("./creator_menu.ts");
    const chosen = await chooseNextCreatorState({ ...embedded, name }, yq, {
      select: req.select,
      edit: req.edit,
    });
    return { name, text: chosen.text };
  }
  if (!tty) {
    logger.info(
      "Terminal is not available, proceeding without opening an editor",
    );
  }
  const text = yq !== "" ? applyYq(embedded.text, yq) : embedded.text;
  return { name, text };
}

export interface CreateInstanceOptions {
  /** Save an invalid configuration as `./lima.REJECTED.yaml` (it was edited interactively). */
  saveRejected?: boolean;
  /**
   * The driver registry: the instance's driver must list this host in its manifest, as
   * Lima's create fails when the driver cannot be configured here (vz on Linux).
   */
  drivers?: DriverRegistry;
}

/**
 * Creates instance NAME with lima.yaml TEXT (stored exactly as given) after validating it.
 * Holds the instance lock throughout; leaves nothing behind on failure.
 */
export async function createInstance(
  name: string,
  text: string,
  options: CreateInstanceOptions = {},
): Promise<Instance> {
  validateInstanceName(name);
  const dir = instanceDir(name);
  checkSocketPathLength(name, dir);
  if (text.trim() === "") {
    throw new LimaError({
      summary: `the configuration of instance ${quote(name)} is empty`,
    });
  }
  await Deno.mkdir(limaHome(), { recursive: true, mode: 0o700 });
  await using _lock = await lockInstance(name);
  await removeStaleTemporaries(limaHome());
  if (await exists(dir)) {
    throw new LimaError({
      summary: `instance ${quote(name)} already exists (${quote(dir)})`,
    });
  }
  let config: LimaYAML;
  try {
    config = await loadValidatedConfig({
      instDir: dir,
      name,
      text,
      networkModes,
    });
  } catch (err) {
    if (options.saveRejected) throw await saveRejectedYAML(text, err);
    throw err;
  }
  if (options.drivers && config.vmType) {
    assertHostSupported((await options.drivers.get(config.vmType)).manifest);
  }
  await ensureUserKey();
  const tmp = temporaryPath(limaHome(), name);
  await Deno.mkdir(tmp, { mode: 0o700 });
  try {
    await writeSynced(join(tmp, InstanceFiles.limaYAML), text, 0o644);
    await writeSynced(join(tmp, InstanceFiles.limaVersion), VERSION, 0o444);
    await syncDir(tmp);
    await renameNoReplace(
      tmp,
      dir,
      () => `instance ${quote(name)} already exists (${quote(dir)})`,
    );
    await syncDir(limaHome());
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
  const inst = await inspectInstance(name);
  if (!inst) {
    throw new LimaError({
      summary: `instance ${quote(name)} disappeared while being created`,
    });
  }
  if (inst.errors.length > 0) {
    throw new LimaError({
      summary: "errors inspecting instance",
      detail: inst.errors.join("; "),
    });
  }
  return inst;
}

async function writeSynced(
  path: string,
  text: string,
  mode: number,
): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true, mode });
  await writeAllSynced(file, new TextEncoder().encode(text));
}

/** `limactl create`: resolves the request, creates the instance and tells how to start it. */
export async function createFromRequest(req: CreateRequest): Promise<Instance> {
  const config = await resolveNewInstance(req);
  const inst = await createInstance(config.name, config.text, {
    saveRejected: req.tty && req.arg !== "-",
    drivers: req.drivers,
  });
  logger.info(`Run \`limactl start ${inst.name}\` to start the instance.`);
  return inst;
}
