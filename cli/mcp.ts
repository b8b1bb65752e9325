import { Command } from "@commander-js/extra-typings";
import { LimaError } from "../core/errors.ts";
import { writeStdout } from "../core/write_stdout.ts";

/** `limactl mcp info`: the tools as JSON, without a final newline (as Lima prints them). */
function infoCommand() {
  return new Command("info")
    .summary("Show information about the MCP server")
    .action(async () => {
      const { mcpInfoText } = await import("../core/mcp/info.ts");
      writeStdout(mcpInfoText());
    });
}

/** `limactl mcp serve [INSTANCE]`: cobra's `MaximumNArgs(1)`, `default` when none is given. */
function serveCommand() {
  return new Command("serve")
    .summary("Serve MCP over stdio")
    .description(`Serve MCP over stdio.

Expected to be executed via an AI agent, not by a human`)
    .usage("INSTANCE")
    .argument("[args...]")
    .action(async (args) => {
      if (args.length > 1) {
        throw new LimaError({
          summary: `accepts at most 1 arg(s), received ${args.length}`,
        });
      }
      const { serveMCP } = await import("../core/mcp/serve.ts");
      await serveMCP(args[0] ?? "default");
    });
}

/** `limactl mcp` (Lima's `limactl-mcp` plugin, built in): an MCP server for AI agents. */
export function mcpCommand() {
  return new Command("mcp")
    .description("Model Context Protocol plugin for Lima (EXPERIMENTAL)")
    .addCommand(infoCommand())
    .addCommand(serveCommand());
}
