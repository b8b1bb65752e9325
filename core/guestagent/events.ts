/**
 * The host side of the guest agent's output: one JSON object per line, each saying which
 * listening sockets appeared and disappeared since the previous line (the first lists all).
 */
import { LimaError } from "../errors.ts";
import { readLines } from "../read_lines.ts";

/** The transport protocol of a guest listener. */
export type Proto = "tcp" | "udp";

/** A listening socket in the guest, as the guest agent reports it. */
export interface GuestListener {
  proto: Proto;
  ip: string;
  port: number;
}

/** One change in the guest's listening sockets. */
export interface ListenerEvent {
  added: GuestListener[];
  removed: GuestListener[];
  /** `added` lists every listener (the agent's first line, or an answer to the host). */
  full?: boolean;
}

function listener(value: unknown, where: string): GuestListener {
  const v = value as Partial<GuestListener> | null;
  if (
    typeof v !== "object" || v === null ||
    (v.proto !== "tcp" && v.proto !== "udp") ||
    typeof v.ip !== "string" || v.ip === "" ||
    !Number.isInteger(v.port) || v.port! < 0 || v.port! > 65535
  ) {
    throw new LimaError({
      summary: "the guest agent sent an invalid socket",
      detail: `${where}: ${JSON.stringify(value)}`,
    });
  }
  return { proto: v.proto, ip: v.ip, port: v.port! };
}

/** Parses one line of guest-agent output; throws a LimaError when it is not an event. */
export function parseAgentLine(line: string): ListenerEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new LimaError({
      summary: "the guest agent sent a line that is not JSON",
      detail: `${JSON.stringify(line)}: ${(err as Error).message}`,
    });
  }
  const v = value as
    | { added?: unknown; removed?: unknown; full?: unknown }
    | null;
  if (
    typeof v !== "object" || v === null || !Array.isArray(v.added) ||
    !Array.isArray(v.removed)
  ) {
    throw new LimaError({
      summary:
        "the guest agent sent an event without `added` and `removed` lists",
      detail: JSON.stringify(line),
    });
  }
  return {
    added: v.added.map((x, i) => listener(x, `added[${i}]`)),
    removed: v.removed.map((x, i) => listener(x, `removed[${i}]`)),
    ...(v.full === true ? { full: true } : {}),
  };
}

/** The events in STREAM, line by line; blank lines are skipped. Ends with the stream. */
export async function* agentEvents(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<ListenerEvent> {
  for await (const line of readLines(stream)) yield parseAgentLine(line);
}
