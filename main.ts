/**
 * `limactl`: the entry point. Builds the command tree, runs it, and turns every
 * error into Lima's exit conventions (fatal message and exit 1, or a child's exit code).
 */
import { parseListArgs, runList } from "./cli/list_flags.ts";
import { rerunWithoutPrompts } from "./cli/without_prompts.ts";
import { runPluginCommand } from "./cli/plugin_dispatch.ts";
import { errorMessage, ExitCodeError, LimaError } from "./core/errors.ts";
import { logger } from "./core/log.ts";
import { VERSION } from "./core/version.ts";
import { builtinDefaultVMType } from "./drivers/default_vm_type.ts";
import { builtinDriverRules } from "./drivers/builtin_rules.ts";
import { useBuiltinDrivers } from "./plugins/builtin_driver_facts.ts";

export async function main(args: string[]): Promise<number> {
  useBuiltinDrivers({
    rules: builtinDriverRules,
    defaultVMType: builtinDefaultVMType,
  });
  // yq owns its whole command line (its flags clash with ours), as does a binary named yq.
  if (args[0] === "yq") return await yq(args.slice(1));
  if (await startedAsYq()) return await yq(args);
  // Only the root knows -v/--version; after a command name, -v is that command's flag.
  if (args.length === 1 && (args[0] === "-v" || args[0] === "--version")) {
    console.log(`limactl version ${VERSION}`);
    return 0;
  }
  try {
    // `limactl list` is polled by other tools: a plain list command line skips building
    // the command tree. Without global flags the logger keeps its defaults, as it would there.
    const list = parseListArgs(args);
    if (list) {
      await runList(list);
    } else {
      await runCommandTree(args);
    }
    return 0;
  } catch (err) {
    if (err instanceof ExitCodeError) return err.code;
    // A choice to stop (the create menu's "Exit"), not a failure: Lima's exitSuccessError
    // declares exit code 0 (Lima 1.x honoured it silently; 2.x's main.go only honours a
    // child's exit status, so it prints FATA and exits 1 there).
    if (err instanceof LimaError && err.exitCode === 0) return 0;
    logger.fatal(err instanceof LimaError ? err.message : errorMessage(err));
    if (!(err instanceof LimaError)) {
      logger.debug(String((err as Error)?.stack ?? err));
    }
    return err instanceof LimaError ? err.exitCode : 1;
  }
}

/**
 * Whether the program was started under the name yq (Lima's `MaybeRunYQ`: the base name up to
 * its first dot, so `yq.lima.exe` counts). argv[0], not the executable: a link named yq
 * resolves to limactl.
 */
async function startedAsYq(): Promise<boolean> {
  const name = (await argv0()).split(/[\\/]/).pop()!;
  return name.split(".")[0] === "yq";
}

/**
 * argv[0]. Linux tells it in /proc; elsewhere it takes `node:process`, whose loading costs
 * `limactl list` more than the listing, so it is loaded only there.
 */
async function argv0(): Promise<string> {
  if (Deno.build.os === "linux") {
    try {
      return Deno.readTextFileSync("/proc/self/cmdline").split("\0")[0];
    } catch {
      // No /proc mounted: ask node:process.
    }
  }
  return (await import("node:process")).default.argv0;
}

async function yq(args: string[]): Promise<number> {
  const { runYq } = await import("./cli/yq.ts");
  return await runYq(args);
}

/** Parses ARGS with every command; commander's own errors become Lima's usage errors. */
async function runCommandTree(args: string[]): Promise<void> {
  const [
    { CommanderError },
    { normalizeBooleanFlags, rootCommand, usageError },
    { registerCommands },
    { protectShellArgs },
    { routeRootArgs },
  ] = await Promise.all([
    import("@commander-js/extra-typings"),
    import("./cli/app.ts"),
    import("./cli/commands.ts"),
    import("./cli/shell.ts"),
    import("./cli/root_args.ts"),
  ]);
  const program = rootCommand();
  const drivers = async () =>
    (await import("./drivers/builtin.ts")).driverRegistry();
  registerCommands(program, { drivers });
  // The completion scripts' callback (cobra's protocol) reads the tree, it does not run it.
  if (args[0] === "__complete" || args[0] === "__completeNoDesc") {
    const { answerCompletionRequest } = await import(
      "./cli/completion/request.ts"
    );
    const names = async () =>
      (await (await drivers()).list()).map((d) => d.name);
    await answerCompletionRequest(program, names, args);
    return;
  }
  const routed = routeRootArgs(program, args);
  if (routed === "help") {
    program.outputHelp();
    return;
  }
  try {
    if (await runPluginCommand(program, args)) return;
    await program.parseAsync(
      normalizeBooleanFlags(program, protectShellArgs(routed)),
      {
        from: "user",
      },
    );
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and --version are reported by commander as "errors" with exit code 0.
    if (err.exitCode === 0) return;
    throw usageError(err);
  }
}

if (import.meta.main) {
  Deno.exit(await rerunWithoutPrompts(Deno.args) ?? await main(Deno.args));
}
