/**
 * "View the changed contents" of `limactl shell --sync` (Lima's `cmd/limactl/shell.go`): rsync's
 * dry-run counts and itemized list, then `diff -ruN` between the host directory and a copy of
 * the guest one in a temporary directory, in the user's pager.
 */
import { basename, join } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { lookPath } from "../look_path.ts";

const GRAY = "\x1b[0;90m";
const NONE = "\x1b[0m";

/** What the dry run found, when it ran. */
export interface DryRun {
  summary: string;
  itemized: string;
}

/** The host directory, and how to copy the guest's version of it into a host directory. */
export interface ChangedDirs {
  hostDir: string;
  copyTo(dir: string): Promise<void>;
}

/** Shows the changes in the pager and waits for the user to leave it. */
export async function showChanges(
  steps: ChangedDirs,
  dryRun?: DryRun,
): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "lima-guest-synced-" });
  try {
    const haveDiff = lookPath("diff") !== undefined;
    if (!haveDiff) {
      logger.warn("`diff` not found; showing rsync dry-run output only");
    }
    const copy = join(base, basename(steps.hostDir));
    if (haveDiff) {
      await Deno.mkdir(copy);
      await steps.copyTo(copy).catch((err) => {
        throw new LimaError({
          summary:
            "failed to sync back the changes from guest instance to host temporary directory",
          detail: errorMessage(err),
        });
      });
    }
    await page(dryRun, haveDiff ? [steps.hostDir, copy] : undefined);
  } finally {
    await Deno.remove(base, { recursive: true }).catch((err) =>
      logger.warn(`Failed to clean up temporary directory ${base}`, {
        error: String(err),
      })
    );
  }
}

/** Writes the dry run, then the diff of DIFF's two directories, into the pager. */
async function page(dryRun?: DryRun, diff?: [string, string]): Promise<void> {
  const [exe, ...args] = pagerCommand(Deno.env.toObject());
  const pager = new Deno.Command(exe, { args, stdin: "piped" }).spawn();
  const writer = pager.stdin.getWriter();
  // A pager left before the end stops reading: what is left unwritten is not wanted.
  const write = (bytes: Uint8Array) => writer.write(bytes).catch(() => {});
  if (dryRun) {
    const diffHead = diff
      ? `${GRAY}--- detailed diff --- ${NONE}`
      : `${GRAY}--- detailed diff unavailable (\`diff\` not found) --- ${NONE}`;
    await write(new TextEncoder().encode(
      `${GRAY}--- rsync dry-run statistics ---${NONE}\n${dryRun.summary}\n\n${dryRun.itemized}\n\n\n${diffHead}\n`,
    ));
  }
  if (diff) {
    const out = await new Deno.Command("diff", {
      args: ["-ruN", "--color=always", ...diff],
      stdin: "null",
      stdout: "piped",
    }).output();
    // diff exits 1 when the files differ.
    if (out.code >= 2) {
      await writer.close().catch(() => {});
      throw new LimaError({
        summary: "failed to run diff command",
        detail: `exit status ${out.code}`,
      });
    }
    await write(out.stdout);
  }
  await writer.close().catch(() => {});
  await pager.status;
}

/** `$PAGER` (split on blanks), or `less -R`; less is given -R unless it or `$LESS` shows raw colours already. */
export function pagerCommand(env: Record<string, string>): string[] {
  const words = (env.PAGER ?? "").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return ["less", "-R"];
  if (basename(words[0]) !== "less") return words;
  const less = (env.LESS ?? "").split(/\s+/);
  if (rawColours(words.slice(1)) || rawColours(less)) return words;
  return [...words, "-R"];
}

function rawColours(flags: string[]): boolean {
  return flags.some((f) =>
    ["-R", "-r", "--RAW-CONTROL-CHARS", "--raw-control-chars"].includes(f) ||
    (/^-[^-]/.test(f) && /[Rr]/.test(f))
  );
}
