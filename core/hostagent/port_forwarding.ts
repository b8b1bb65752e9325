/**
 * Port forwarding in the host agent (Lima's `pkg/hostagent/hostagent.go`, `port.go`): static and
 * UNIX-socket forwards once the guest is reachable, then the guest agent's listener events applied
 * through the instance's rules. TCP and UDP go through the guest agent's tunnel when the driver
 * offers one and the guest answers on it (tunnel_choice.ts), otherwise TCP through the OpenSSH
 * ControlMaster (faster than in-process SSH) and UDP through the ssh2 connection; sockets always
 * through the ssh2 connection.
 */
import type { LimaYAML } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { startGuestAgent } from "../guestagent/agent.ts";
import type { GuestListener, ListenerEvent } from "../guestagent/events.ts";
import { logger } from "../log.ts";
import { Forwarder, type ForwardNotice } from "../portfwd/forwarder.ts";
import { effectiveRules, joinHostPort, normalizeIP } from "../portfwd/rules.ts";
import type { SSHPool } from "../ssh/pool.ts";
import type { SSHTarget } from "../ssh/target.ts";
import { sleep } from "../sleep.ts";
import { watchAgentChannel } from "./agent_channel.ts";
import type { EventWriter } from "./events.ts";
import { chooseTunnel } from "./tunnel_choice.ts";

export interface PortForwardingOptions {
  config: LimaYAML;
  sshLocalPort: number;
  pool: SSHPool;
  target: SSHTarget;
  /** `ssh` arguments that reach the instance through its ControlMaster (options, `-p`, host). */
  sshArgs: string[];
  events: EventWriter;
  /** The driver's channel to the guest agent (a UNIX socket); without it the agent runs over SSH. */
  agentSocket?: string;
  /** Time between two guest-agent restarts after its connection dropped; default 2 s. */
  retryMs?: number;
  /** How long the channel may stay silent before the agent is run over SSH; default 30 s. */
  channelWaitMs?: number;
  /** The driver's socket to the guest's forwarding tunnel; without it TCP and UDP go over SSH. */
  tunnelSocket?: string;
  /** `LIMA_SSH_PORT_FORWARDER`; default: the host agent's environment. */
  sshPortForwarder?: string;
}

/** Running port forwarding; `close` removes every forward. */
export interface PortForwarding {
  /** Resolves when the guest agent reported its first listener list. */
  readonly agentRunning: Promise<void>;
  close(): Promise<void>;
}

const key = (l: GuestListener) =>
  `${l.proto} ${joinHostPort(normalizeIP(l.ip), l.port)}`;

/**
 * Turns the events of successive guest-agent runs into one stream of changes: the first event
 * of a run lists every listener, so whatever the previous run knew and this one does not list
 * has gone away meanwhile.
 */
export class ListenerState {
  readonly #known = new Map<string, GuestListener>();

  /** The change to apply for EVENT; FIRST marks the first event of an agent run. */
  next(event: ListenerEvent, first: boolean): ListenerEvent {
    const removed = [...event.removed];
    if (first) {
      const listed = new Set(event.added.map(key));
      for (const [k, l] of this.#known) if (!listed.has(k)) removed.push(l);
    }
    for (const l of removed) this.#known.delete(key(l));
    const added = event.added.filter((l) => !this.#known.has(key(l)));
    for (const l of added) this.#known.set(key(l), l);
    return { added, removed };
  }
}

function logNotice(notice: ForwardNotice): void {
  logger[notice.level](notice.message);
}

/**
 * Starts the static and socket forwards, the ControlMaster when TCP goes over SSH, and (unless
 * plain) the guest agent.
 */
export async function startPortForwarding(
  o: PortForwardingOptions,
): Promise<PortForwarding> {
  const closing = new AbortController();
  // Sought while the rest is set up; TCP forwards wait for the verdict. A plain instance runs
  // no guest agent, so no tunnel either.
  const tunnel = o.config.plain ? Promise.resolve(undefined) : chooseTunnel({
    env: o.sshPortForwarder ?? Deno.env.get("LIMA_SSH_PORT_FORWARDER"),
    socket: o.tunnelSocket,
    waitMs: o.channelWaitMs ?? 30_000,
    signal: closing.signal,
  });
  // The master is a login of its own, which costs a guest still booting a second or more of an
  // emulated CPU: it starts only when TCP needs it. A user's `ssh -F ssh.config` makes one
  // otherwise (ControlMaster=auto).
  const master = tunnel.then((t) =>
    t || closing.signal.aborted ? undefined : startControlMaster(o.sshArgs)
  );
  const conn = await o.pool.get(o.target);
  const forwarder = new Forwarder({
    client: conn.client,
    rules: effectiveRules(o.config, { sshLocalPort: o.sshLocalPort }),
    tcp: {
      kind: "tunnel",
      tunnel,
      fallback: { kind: "openssh", args: o.sshArgs, ready: master },
    },
    onNotice: (notice) => {
      logNotice(notice);
      o.events.emitWith({ portForward: notice.event });
    },
  });
  await forwarder.forwardStatic();
  await forwarder.forwardSockets();
  const { promise: agentRunning, resolve: agentSeen } = Promise
    .withResolvers<void>();
  const watcher = o.config.plain
    ? Promise.resolve()
    : watchGuestAgent(o, forwarder, closing.signal, agentSeen);
  return {
    agentRunning,
    async close() {
      closing.abort();
      await watcher;
      await forwarder.close();
      await (await tunnel)?.close();
      await master;
      await stopControlMaster(o.sshArgs);
    },
  };
}

/**
 * Feeds the guest agent's events to FORWARDER: from the driver's channel when the agent started
 * at boot answers there, otherwise from an agent run over SSH (restarted when it drops).
 */
async function watchGuestAgent(
  o: PortForwardingOptions,
  forwarder: Forwarder,
  signal: AbortSignal,
  seen: () => void,
): Promise<void> {
  const state = new ListenerState();
  const retryMs = o.retryMs ?? 2000;
  let announced = false;
  const onEvent = async (event: ListenerEvent, first: boolean) => {
    if (!announced) {
      logger.info("Guest agent is running");
      announced = true;
    }
    seen();
    await forwarder.apply(state.next(event, first || event.full === true));
  };
  if (o.agentSocket) {
    const answered = await watchAgentChannel(o.agentSocket, {
      onEvent,
      signal,
      retryMs,
      silentMs: o.channelWaitMs ?? 30_000,
    });
    if (answered || signal.aborted) return;
    logger.info(
      "The guest agent does not answer on its channel; running it over SSH",
    );
  }
  while (!signal.aborted) {
    try {
      const conn = await o.pool.get(o.target);
      const agent = await startGuestAgent(conn);
      const stop = () => void agent.stop();
      signal.addEventListener("abort", stop, { once: true });
      try {
        let first = true;
        for await (const event of agent.events) {
          await onEvent(event, first);
          first = false;
        }
      } finally {
        signal.removeEventListener("abort", stop);
      }
      const status = await agent.status;
      if (!signal.aborted) {
        logger.warn(
          `guest agent ended (exit status ${
            status.code ?? status.signal
          }); restarting it`,
        );
      }
    } catch (err) {
      if (!signal.aborted) {
        logger.warn(`guest agent failed: ${errorMessage(err)}`);
      }
    }
    await sleep(retryMs, signal);
  }
}

async function ssh(args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command("ssh", {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** Lima's "Explicitly start ssh ControlMaster": the first `ssh` persists as the master. */
async function startControlMaster(args: string[]): Promise<void> {
  const { code, stderr } = await ssh([...args, "true"]);
  if (code !== 0) {
    logger.warn(
      `failed to start the SSH ControlMaster (exit status ${code}): ${stderr.trim()}`,
    );
  }
}

async function stopControlMaster(args: string[]): Promise<void> {
  await ssh(["-O", "exit", ...args]).catch(() => {});
}
