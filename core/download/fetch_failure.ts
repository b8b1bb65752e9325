/**
 * Why a download could not reach its server, in the words of Go's `net/http` that Lima
 * users know (`lookup HOST: no such host`, `dial tcp ADDR: connect: connection refused`,
 * `tls: …`), with a hint; the runtime's whole message is logged at debug level.
 */
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";

/** What a user can do when the server cannot be reached. */
export const NETWORK_HINT =
  "check the host's network connection and proxy settings";

/** The LimaError for a fetch of URL that failed before any answer came (ERR is fetch's). */
export function unreachableError(url: string, err: unknown): LimaError {
  logger.debug(`fetching ${JSON.stringify(url)} failed`, {
    error: causeChain(err),
  });
  return new LimaError({
    summary: `failed to download ${JSON.stringify(url)}`,
    detail: fetchFailure(url, err),
    hint: NETWORK_HINT,
  }, { cause: err });
}

/** Whether ERR, from a download, is one that could not reach the server. */
export function isUnreachable(err: unknown): boolean {
  return err instanceof LimaError && err.diagnostic.hint === NETWORK_HINT;
}

/** The message of ERR without its hint: for a list of failures that ends with one hint. */
export function messageWithoutHint(err: unknown): string {
  if (!(err instanceof LimaError) || !err.diagnostic.hint) {
    return errorMessage(err);
  }
  const { hint: _hint, ...rest } = err.diagnostic;
  return new LimaError(rest).message;
}

/** The messages of ERR and its causes, outermost first. */
export function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e !== undefined && parts.length < 5;) {
    parts.push(errorMessage(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ");
}

/** The cause of a failed fetch of URL, as Go's `net/http` would word it. */
export function fetchFailure(url: string, err: unknown): string {
  const chain = causeChain(err);
  const { hostname, port, protocol } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, "");
  const address = `${hostname}:${port || (protocol === "https:" ? 443 : 80)}`;
  // The innermost part of hyper's "… client error (Connect): dns error: …".
  const inner = chain.replace(/^.*client error \(Connect\): /s, "")
    .replace(/ \(os error \d+\)$/, "");
  let m: RegExpExecArray | null;
  if (
    (m = /^dns error: (?:failed to lookup address information: )?(.*)$/s.exec(
      inner,
    ))
  ) {
    const reason = /not known|no address|nodename nor servname|no such host/i
        .test(m[1])
      ? "no such host"
      : lowerFirst(m[1]);
    return `lookup ${host}: ${reason}`;
  }
  if ((m = /^tcp connect error: (.*)$/s.exec(inner))) {
    return `dial tcp ${address}: connect: ${lowerFirst(m[1])}`;
  }
  if (/certificate|corrupt message|handshake|tls|alert/i.test(inner)) {
    return `tls: ${lowerFirst(inner)}`;
  }
  return inner;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
