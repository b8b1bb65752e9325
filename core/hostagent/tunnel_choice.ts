/**
 * Which forwarder carries TCP and UDP: the guest agent's tunnel unless
 * `LIMA_SSH_PORT_FORWARDER` asks for SSH (Lima's `pkg/hostagent/hostagent.go`: the variable is
 * parsed as a Go bool, an invalid value is warned about and ignored, and the default is `false`
 * since Lima 1.1.0), and SSH whenever the tunnel is unavailable (a guest agent of another
 * protocol version included). The choice is logged once.
 */
import { errorMessage } from "../errors.ts";
import { logger } from "../log.ts";
import { Tunnel, unixConnect } from "../portfwd/tunnel.ts";
import { TunnelVersionError } from "../portfwd/tunnel_session.ts";
import { sleep } from "../sleep.ts";

/** Go's `strconv.ParseBool`: undefined for anything else. */
export function parseGoBool(value: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}

/** Whether `LIMA_SSH_PORT_FORWARDER` (VALUE) selects the SSH forwarder. */
export function useSSHForwarder(value: string | undefined): boolean {
  if (!value) return false;
  const parsed = parseGoBool(value);
  if (parsed === undefined) {
    logger.warn(`invalid LIMA_SSH_PORT_FORWARDER value \`${value}\``);
    return false;
  }
  return parsed;
}

export interface TunnelChoice {
  /** `LIMA_SSH_PORT_FORWARDER` as set for the host agent. */
  env: string | undefined;
  /** The driver's socket to the guest's tunnel; none means SSH. */
  socket?: string;
  /** How long the guest may take to answer (its agent may still be starting). */
  waitMs: number;
  signal: AbortSignal;
}

/** The tunnel when it is chosen and answers, else undefined (TCP and UDP then go over SSH). */
export async function chooseTunnel(
  o: TunnelChoice,
): Promise<Tunnel | undefined> {
  if (useSSHForwarder(o.env)) {
    logger.info(
      "Forwarding TCP and UDP ports over SSH, as LIMA_SSH_PORT_FORWARDER asks",
    );
    return undefined;
  }
  if (!o.socket) {
    logger.info(
      "The driver offers no port forwarding tunnel; forwarding TCP and UDP ports over SSH",
    );
    return undefined;
  }
  try {
    const tunnel = await answeringTunnel(o.socket, o.waitMs, o.signal);
    logger.info("Forwarding TCP and UDP ports over the guest agent's tunnel");
    return tunnel;
  } catch (err) {
    if (!o.signal.aborted) {
      logger.info(
        `The port forwarding tunnel is unavailable (${
          errorMessage(err)
        }); forwarding TCP and UDP ports over SSH`,
      );
    }
    return undefined;
  }
}

/** Connects to SOCKET until the guest's tunnel answers, for up to WAIT_MS. */
async function answeringTunnel(
  socket: string,
  waitMs: number,
  signal: AbortSignal,
): Promise<Tunnel> {
  const deadline = Date.now() + waitMs;
  const helloMs = 5000;
  for (;;) {
    signal.throwIfAborted();
    try {
      // Each attempt greets for a while: the guest answers once its agent started.
      return await Tunnel.open(
        unixConnect(socket),
        Math.max(1000, Math.min(helloMs, deadline - Date.now())),
      );
    } catch (err) {
      if (Date.now() >= deadline || err instanceof TunnelVersionError) {
        throw err;
      }
    }
    await sleep(1000, signal);
  }
}
