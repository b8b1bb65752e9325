/**
 * `limactl`: the entry point. Builds the command tree, runs it, and turns every
 * error into Lima's exit conventions (fatal message and exit 1, or a child's exit code).
 */
import { CommanderError } from "@commander-js/extra-typings";
import { normalizeBooleanFlags, rootCommand, usageError } from "./cli/app.ts";
import { basename } from "node:path";
import { registerCommands } from "./cli/commands.ts";
import { runYq } from "./cli/yq.ts";
import { errorMessage, ExitCodeError, LimaError } from "./core/errors.ts";
import { logger } from "./core/log.ts";

export async function main(args: string[]): Promise<number> {
  // yq owns its whole command line (its flags clash with ours), as does a binary named yq.
  if (args[0] === "yq") return await runYq(args.slice(1));
  if (/^yq(\.|$)/.test(basename(Deno.execPath()))) return await runYq(args);
  const program = rootCommand();
  registerCommands(program, {
    drivers: async () => (await import("./drivers/builtin.ts")).driverRegistry(),
  });
  try {
    await program.parseAsync(normalizeBooleanFlags(program, args), {
      from: "user",
    });
    return 0;
  } catch (err) {
    if (err instanceof ExitCodeError) return err.code;
    if (err instanceof CommanderError) {
      // Help and --version are reported by commander as "errors" with exit code 0.
      if (err.exitCode === 0) return 0;
      logger.fatal(usageError(err).message);
      return 1;
    }
    logger.fatal(err instanceof LimaError ? err.message : errorMessage(err));
    if (!(err instanceof LimaError)) {
      logger.debug(String((err as Error)?.stack ?? err));
    }
    return err instanceof LimaError ? err.exitCode : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
