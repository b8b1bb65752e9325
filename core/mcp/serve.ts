/**
 * `limactl mcp serve INSTANCE` (Lima's `cmd/limactl-mcp/main.go`): checks that the instance
 * runs, logs in to its guest, and serves MCP over stdin and stdout until stdin ends.
 */
import process from "node:process";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { SSHPool } from "../ssh/pool.ts";
import { existingInstance } from "../ssh/running_instance.ts";
import { sshTarget } from "../ssh/target.ts";
import { Guest } from "./guest.ts";
import { mcpServer } from "./server.ts";

/** The guest of instance NAME, which must exist, load without errors and be running. */
async function guestOf(name: string, pool: SSHPool): Promise<Guest> {
  const inst = await existingInstance(name);
  if (inst.errors.length > 0) {
    throw new LimaError({ summary: inst.errors.join("\n") });
  }
  if (inst.status !== "Running") {
    throw new LimaError({
      summary: `expected status of instance ${quote(name)} to be ${
        quote("Running")
      }, got ${quote(inst.status)}`,
    });
  }
  if ((inst.config?.mounts ?? []).length === 0) {
    logger.warn(`instance ${quote(name)} has no mount`);
  }
  const guest = new Guest(
    pool,
    await sshTarget(inst),
    inst.config?.user?.shell ?? undefined,
  );
  await guest.connect();
  return guest;
}

/** Serves the tools of instance NAME on stdio; resolves when the client closes stdin. */
export async function serveMCP(name: string): Promise<void> {
  await using pool = new SSHPool({ retries: 2 });
  const server = mcpServer(await guestOf(name, pool));
  const ended = new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
  });
  await server.connect(new StdioServerTransport());
  await ended;
  await server.close();
}
