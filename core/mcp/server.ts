/**
 * The MCP server of Lima's `cmd/limactl-mcp` on the maintained TypeScript SDK: the server's
 * name, title and instructions, `tools/list` with the tools' exact schemas, and `tools/call`
 * with the Go SDK's results (structured content plus the same JSON as text, or the error as
 * text with `isError`). The SDK's low-level server is used because its high-level one
 * derives schemas from zod, which would not be Lima's.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  type CallToolRequest,
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { errorMessage } from "../errors.ts";
import { VERSION } from "../version.ts";
import { argumentsProblem } from "./arguments.ts";
import { goJSON } from "../go_json.ts";
import type { Guest } from "./guest.ts";
import { HANDLERS } from "./toolset.ts";
import { TOOLS } from "./tools.ts";

const INSTRUCTIONS =
  `This MCP server provides tools for sandboxing local command executions and file I/O operations,
by wrapping them in Lima VM (https://lima-vm.io).

Use these tools to avoid accidentally executing malicious codes directly on the host.
`;

/** Lima's instructions, with a note naming the host OS when it is not Linux. */
export function instructions(os: string = Deno.build.os): string {
  if (os === "linux") return INSTRUCTIONS;
  const title = os[0].toUpperCase() + os.slice(1);
  return `${INSTRUCTIONS}

NOTE: the guest OS of the VM is Linux, while the host OS is ${title}.
`;
}

/** The result of calling tool NAME with ARGS in GUEST. */
export async function callTool(
  guest: Guest,
  name: string,
  args: Record<string, unknown> | undefined,
): Promise<CallToolResult> {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) {
    // A protocol error, not a tool error, as in the Go SDK.
    throw Object.assign(new Error(`unknown tool ${JSON.stringify(name)}`), {
      code: ErrorCode.InvalidParams,
    });
  }
  const problem = argumentsProblem(args, tool.inputSchema);
  if (problem) {
    return { content: [{ type: "text", text: problem }], isError: true };
  }
  try {
    const out = await HANDLERS[name](guest, args ?? {});
    return {
      content: [{ type: "text", text: goJSON(out) }],
      structuredContent: out,
    };
  } catch (err) {
    return {
      content: [{ type: "text", text: errorMessage(err) }],
      isError: true,
    };
  }
}

/** An MCP server whose tools act in GUEST. */
export function mcpServer(guest: Guest): Server {
  const server = new Server({
    name: "lima",
    title:
      "Lima VM, for sandboxing local command executions and file I/O operations",
    // Lima's version string keeps its `v`.
    version: `v${VERSION}`,
  }, {
    capabilities: { logging: {}, tools: { listChanged: true } },
    instructions: instructions(),
  });
  server.setRequestHandler(
    ListToolsRequestSchema,
    () => ({ tools: [...TOOLS] }),
  );
  server.setRequestHandler(
    CallToolRequestSchema,
    (request: CallToolRequest) =>
      callTool(guest, request.params.name, request.params.arguments),
  );
  return server;
}
