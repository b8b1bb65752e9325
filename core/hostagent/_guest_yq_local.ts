/**
 * Plays the host agent's part in `yq` provisions for a boot.sh run on this machine (tests, see
 * `core/cidata/_isolated.ts`): `deno run -A _guest_yq_local.ts IID PROVISIONS_JSON` answers
 * the boot script's requests in this machine's /run until it is killed.
 */
import { serveGuestYq } from "./guest_yq.ts";
import type { YqProvision } from "./yq_provision.ts";

/** Runs COMMAND with sh here, as the host agent runs it in the guest over SSH. */
async function runHere(
  command: string,
  options: { stdin?: string | Uint8Array } = {},
) {
  const child = new Deno.Command("sh", {
    args: ["-c", command],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const stdin = options.stdin ?? "";
  await writer.write(
    typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin,
  );
  await writer.close();
  const out = await child.output();
  return { code: out.code, stdout: out.stdout, stderr: out.stderr };
}

if (import.meta.main) {
  const [iid, provisions] = Deno.args;
  await serveGuestYq({
    provisions: JSON.parse(provisions) as YqProvision[],
    iid,
    connect: () => Promise.resolve({ run: runHere }),
    signal: new AbortController().signal,
  });
}
