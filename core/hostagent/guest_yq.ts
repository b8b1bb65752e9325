/**
 * The host's side of `yq` provisions in guests without mikefarah's yq: boot.sh stages each file
 * in `YQ_DIR` as `ID.FORMAT` (`ID.FORMAT.new` when it does not exist yet) and writes the
 * instance id to `ready`; the host agent writes `ID.out` (the new text) or `ID.err` (why not)
 * and then the id to `done`, and boot.sh installs the results before the system provisions,
 * keeping Lima's order. One yq engine, limactl's, serves `--set`, `limactl yq` and provisions.
 */
import { errorMessage } from "../errors.ts";
import { logger } from "../log.ts";
import { shellQuote } from "../shell_quote.ts";
import { sleep } from "../sleep.ts";
import type { RunResult } from "../ssh/client.ts";
import { markerScript, scriptCommand } from "./requirements.ts";
import { evaluateYqProvision, type YqProvision } from "./yq_provision.ts";

/** Where boot.sh stages the files (see boot.sh). */
export const YQ_DIR = "/run/lima-yq";

/** How long to wait before looking again once the current boot has its answers. */
const ANSWERED_PAUSE_MS = 2_000;

/** Exit status of the wait script when this boot's requests are already answered. */
const ANSWERED = 2;

export interface GuestYqConnection {
  run(
    command: string,
    options?: { stdin?: string | Uint8Array },
  ): Promise<RunResult>;
}

/**
 * Answers the guest's requests until SIGNAL aborts; a guest that reboots asks again, and is
 * answered again.
 */
export async function serveGuestYq(o: {
  provisions: YqProvision[];
  iid: string;
  connect: () => Promise<GuestYqConnection>;
  signal: AbortSignal;
}): Promise<void> {
  if (o.provisions.length === 0) return;
  const found = `[ -e ${YQ_DIR}/done ] && exit ${ANSWERED}; ls ${YQ_DIR}`;
  const wait = scriptCommand(
    markerScript(`${YQ_DIR}/ready`, o.iid, undefined, found),
  );
  while (!o.signal.aborted) {
    try {
      const conn = await o.connect();
      const r = await conn.run(wait.command, { stdin: wait.stdin });
      if (r.code === 0) {
        const listing = new TextDecoder().decode(r.stdout);
        await answerGuestYq(conn, o.provisions, listing, o.iid);
      } else if (r.code === ANSWERED) {
        await sleep(ANSWERED_PAUSE_MS, o.signal);
      }
    } catch (err) {
      if (o.signal.aborted) break;
      logger.debug(`yq provisions: ${errorMessage(err)}`);
      await sleep(ANSWERED_PAUSE_MS, o.signal);
    }
  }
}

/** Evaluates the files staged in LISTING (the names in `YQ_DIR`) and marks them done. */
export async function answerGuestYq(
  conn: GuestYqConnection,
  provisions: YqProvision[],
  listing: string,
  iid: string,
): Promise<void> {
  const q = (name: string) => shellQuote(`${YQ_DIR}/${name}`);
  for (const name of listing.split("\n")) {
    const m = /^(\d+)\.([a-z]+)(\.new)?$/.exec(name);
    const p = m && provisions.find((p) => p.id === m[1]);
    if (!m || !p) continue;
    let answer: string;
    let file = `${p.id}.out`;
    try {
      const input = m[3] ? undefined : await readText(conn, q(name));
      answer = evaluateYqProvision(p, m[2], input);
    } catch (err) {
      answer = `${errorMessage(err)}\n`;
      file = `${p.id}.err`;
    }
    await check(conn.run(`cat >${q(file)}`, { stdin: answer }));
  }
  await check(conn.run(`echo ${shellQuote(iid)} >${q("done")}`));
}

async function readText(conn: GuestYqConnection, path: string) {
  const r = await check(conn.run(`cat ${path}`));
  return new TextDecoder().decode(r.stdout);
}

async function check(run: Promise<RunResult>): Promise<RunResult> {
  const r = await run;
  if (r.code !== 0) {
    const stderr = new TextDecoder().decode(r.stderr).trim();
    throw new Error(`exit status ${r.code}${stderr ? `: ${stderr}` : ""}`);
  }
  return r;
}
