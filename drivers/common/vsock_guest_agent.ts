import { join } from "node:path";
import type { GuestAgentEndpoint } from "../../plugins/contract.ts";

/** The guest agent over vsock, reached through `ga.sock` in instance directory DIR. */
export function vsockGuestAgent(dir: string): Promise<GuestAgentEndpoint> {
  return Promise.resolve({
    transport: "vsock",
    socketPath: join(dir, "ga.sock"),
  });
}
