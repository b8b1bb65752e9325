/**
 * What `limactl shell --sync` does once the command has exited (Lima's `askUserForRsyncBack` in
 * `cmd/limactl/shell.go`). Without a terminal the guest's changes are copied back unasked. On a
 * terminal a dry run counts them first: with none the guest copy is simply removed, else the
 * user accepts them, refuses them, or views them before deciding. The guest copy is removed
 * once the answer is carried out; when copying back fails or no question can be asked, it stays
 * so nothing done in the guest is lost.
 */
import { errorMessage, LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import type { Select } from "../prompt.ts";
import { formatRsyncStats, parseRsyncStats } from "./rsync_stats.ts";
import { showChanges } from "./sync_diff.ts";

/** Lima's answers, in Lima's order: the answer is an index into this list. */
export const SYNC_BACK_OPTIONS = [
  "Yes",
  "No",
  "View the changed contents",
] as const;

const YES = 0;
const NO = 1;
const VIEW = 2;

/** The rsync and SSH operations the decision needs. */
export interface SyncBackSteps {
  guestDir: string;
  hostDir: string;
  /** Copies the guest directory over the host one, deleting what the guest deleted. */
  copyBack(): Promise<void>;
  /** rsync's itemized dry run of copying back. */
  dryRun(): Promise<string>;
  /** Copies the guest directory into DIR on the host. */
  copyTo(dir: string): Promise<void>;
  /** Removes the guest copy; a failure is only a warning. */
  removeGuestCopy(): Promise<void>;
}

/** Carries out the sync back; SELECT asks on a terminal, none means there is no terminal. */
export async function syncBack(
  steps: SyncBackSteps,
  select?: Select,
  view: typeof showChanges = showChanges,
): Promise<void> {
  if (await settle(steps, select, view)) await steps.removeGuestCopy();
}

/** Whether the guest copy may go: true once the changes are back or refused. */
async function settle(
  steps: SyncBackSteps,
  select: Select | undefined,
  view: typeof showChanges,
): Promise<boolean> {
  if (!select) return await copyBack(steps);
  let itemized = "";
  let summary: string | undefined;
  try {
    itemized = await steps.dryRun();
    summary = formatRsyncStats(parseRsyncStats(itemized));
  } catch (err) {
    logger.warn("failed to get rsync stats", { error: errorMessage(err) });
  }
  if (summary === "") {
    logger.info("No changes detected");
    return true;
  }
  const message = `⚠️ Accept the changes?${summary ? ` (${summary})` : ""}`;
  for (;;) {
    switch (await ask(steps, select, message)) {
      case YES:
        return await copyBack(steps);
      case NO:
        logger.info("Skipping syncing back the changes to host.");
        return true;
      case VIEW:
        await view(
          steps,
          summary === undefined ? undefined : {
            summary,
            itemized,
          },
        );
    }
  }
}

async function ask(
  steps: SyncBackSteps,
  select: Select,
  message: string,
): Promise<number> {
  try {
    return await select(message, [...SYNC_BACK_OPTIONS]);
  } catch (err) {
    throw new LimaError({
      summary: `failed to open TUI: ${
        errorMessage(err)
      }; preserving guest synced workdir at ${steps.guestDir}`,
    }, { cause: err });
  }
}

async function copyBack(steps: SyncBackSteps): Promise<true> {
  try {
    await steps.copyBack();
  } catch (err) {
    throw new LimaError({
      summary: "failed to sync back the changes from guest instance to host",
      detail: errorMessage(err),
    }, { cause: err });
  }
  logger.info("Successfully synced back the changes to host.");
  return true;
}
