/**
 * Downloads a driver module: https only (plain http for loopback), checked again on every
 * redirect, within a time limit and a size cap, so a template cannot make limactl fetch
 * code from anywhere else or hang on a server that never finishes.
 */
import { errorMessage, LimaError } from "../core/errors.ts";
import { quote } from "../core/quote.ts";
import { readCapped } from "../core/read_capped.ts";

export interface FetchLimits {
  /** Whole download, redirects included (default 60 s). */
  timeoutMs?: number;
  /** Largest accepted module (default 16 MiB). */
  maxBytes?: number;
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number;
}

export const DEFAULT_FETCH_LIMITS: Required<FetchLimits> = {
  timeoutMs: 60_000,
  maxBytes: 16 * 1024 * 1024,
  maxRedirects: 5,
};

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Refuses anything but https, or plain http to a loopback address. */
export function checkModuleURL(url: URL, requested: string): void {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname)) return;
  const redirected = url.href !== requested;
  throw new LimaError({
    summary: `driver URL ${quote(requested)} must use https`,
    detail: redirected ? `it redirects to ${quote(url.href)}` : undefined,
    hint: "plain http is only accepted for loopback addresses",
  });
}

/** A downloaded module. */
export interface FetchedModule {
  bytes: Uint8Array;
  /** The URL that answered, after redirects. */
  url: string;
  /** Its `Content-Type` header, if any. */
  contentType?: string;
}

/** The module from URL, following at most `maxRedirects` checked redirects. */
export async function fetchModule(
  url: string,
  limits: FetchLimits = {},
): Promise<FetchedModule> {
  const { timeoutMs, maxBytes, maxRedirects } = {
    ...DEFAULT_FETCH_LIMITS,
    ...limits,
  };
  const signal = AbortSignal.timeout(timeoutMs);
  const failed = (detail: string) =>
    new LimaError({
      summary: `failed to download driver ${quote(url)}`,
      detail,
    });
  let current = new URL(url);
  try {
    for (let hop = 0;; hop++) {
      checkModuleURL(current, url);
      const response = await fetch(current, { redirect: "manual", signal });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (hop >= maxRedirects) {
          throw failed(`more than ${maxRedirects} redirects`);
        }
        current = new URL(location, current);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw failed(`HTTP ${response.status} ${response.statusText}`);
      }
      return {
        bytes: await readModule(response, maxBytes, failed),
        url: current.href,
        contentType: response.headers.get("content-type") ?? undefined,
      };
    }
  } catch (err) {
    if (err instanceof LimaError) throw err;
    if (signal.aborted) {
      throw failed(`no complete answer within ${timeoutMs / 1000} s`);
    }
    throw failed(errorMessage(err));
  }
}

async function readModule(
  response: Response,
  maxBytes: number,
  failed: (detail: string) => LimaError,
): Promise<Uint8Array> {
  const tooBig = () =>
    failed(`the module is larger than ${maxBytes} bytes, the most accepted`);
  if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
    await response.body?.cancel();
    throw tooBig();
  }
  return await readCapped(
    response.body ?? new Blob().stream(),
    maxBytes,
    tooBig,
  );
}
