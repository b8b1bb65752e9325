/** `limactl mcp info` (Lima's `cmd/limactl-mcp/main.go`): the tools the server offers. */
import { goJSON } from "../go_json.ts";
import { TOOLS } from "./tools.ts";

/** The tools as JSON indented by four spaces, without a final newline, as Lima prints them. */
export function mcpInfoText(): string {
  return goJSON({ tools: TOOLS }, "    ");
}
