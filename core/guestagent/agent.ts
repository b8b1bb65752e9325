/**
 * The guest agent: polls the guest's listening sockets and prints changes as JSON lines.
 * `agent.py` asks the kernel through netlink sock_diag (python3 is in every cloud-init guest);
 * guests without python3 run the fallback `agent.sh`, a POSIX sh + awk loop over /proc/net
 * with this over-SSH mode only (no virtio-serial daemon), which costs more per poll on guests
 * with much memory (the kernel walks its whole connection table).
 * The host agent runs it over an SSH exec channel; closing the channel's stdin stops it.
 */
import type { ExitStatus, SSHConnection } from "../ssh/client.ts";
import { shellQuote } from "../shell_quote.ts";
import python from "./agent.py" with { type: "text" };
import script from "./agent.sh" with { type: "text" };
import { agentEvents, type ListenerEvent } from "./events.ts";

/** The sh + awk agent's text, for shipping to a guest by other means (cidata). */
export const GUEST_AGENT_SCRIPT: string = script;
/** The python3 agent's text. */
export const GUEST_AGENT_PYTHON: string = python;

/** Default time between two polls; Lima's agent polls every 3 s. */
export const DEFAULT_INTERVAL_MS = 500;

export interface GuestAgentOptions {
  /** Time between two polls; default 500 ms. */
  intervalMs?: number;
}

/** The shell command line that runs the agent (for an SSH exec request). */
export function guestAgentCommand(options: GuestAgentOptions = {}): string {
  const interval = (options.intervalMs ?? DEFAULT_INTERVAL_MS) / 1000;
  if (!(interval > 0)) {
    throw new RangeError(
      `intervalMs must be positive, got ${options.intervalMs}`,
    );
  }
  return `if command -v python3 >/dev/null 2>&1; then exec python3 -c ${
    shellQuote(python)
  } ${interval}; else exec sh -c ${
    shellQuote(script)
  } lima-guestagent ${interval}; fi`;
}

/** A running guest agent. */
export interface GuestAgent extends AsyncDisposable {
  /** Listener changes; the first event lists every listener. Ends when the agent ends. */
  readonly events: AsyncIterable<ListenerEvent>;
  /** How the agent ended (settles after `stop()` or when the connection drops). */
  readonly status: Promise<ExitStatus>;
  /** Closes the agent's stdin, which makes it exit, and waits for it. */
  stop(): Promise<ExitStatus>;
}

/** Starts the agent in the guest behind CONN. */
export async function startGuestAgent(
  conn: Pick<SSHConnection, "start">,
  options: GuestAgentOptions = {},
): Promise<GuestAgent> {
  let closeStdin!: () => void;
  const stdin = new ReadableStream<Uint8Array>({
    start: (controller) => {
      closeStdin = () => {
        try {
          controller.close();
        } catch {
          // Already closed.
        }
      };
    },
  });
  const output = new TransformStream<Uint8Array, Uint8Array>();
  const process = await conn.start(guestAgentCommand(options), {
    stdin,
    stdout: output.writable,
  });
  const status = process.status.finally(() =>
    output.writable.close().catch(() => {})
  );
  const stop = () => {
    closeStdin();
    return status;
  };
  return {
    events: agentEvents(output.readable),
    status,
    stop,
    [Symbol.asyncDispose]: async () => void await stop(),
  };
}
