/**
 * The nerdctl-full archive of an instance with containerd (Lima's `pkg/cacheutil/cacheutil.go`):
 * the entries of `containerd.archives` for the instance's arch are tried in order, each brought
 * into the download cache and checked against its digest. The host agent puts the first one that
 * arrives into the seed, where `boot.Linux/40-install-containerd.sh` unpacks it.
 */
import type { File, LimaYAML } from "../config/schema.ts";
import { download, type DownloadOptions } from "../download/download.ts";
import {
  isUnreachable,
  messageWithoutHint,
  NETWORK_HINT,
} from "../download/fetch_failure.ts";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";

function containerdEnabled(config: LimaYAML): boolean {
  return Boolean(config.containerd?.system || config.containerd?.user);
}

/** The archives to try for CONFIG: none when containerd is off, else those of its arch. */
export function nerdctlArchiveCandidates(config: LimaYAML): File[] {
  if (!containerdEnabled(config)) return [];
  return (config.containerd?.archives ?? []).filter((archive) =>
    archive.location && (archive.arch || config.arch) === config.arch
  );
}

export type NerdctlArchiveOptions = Pick<
  DownloadOptions,
  "cacheDir" | "progress" | "signal"
>;

/**
 * The local path of the archive for CONFIG (its file in the download cache, or the local
 * file it names), or undefined when containerd is off. Fails when no archive is configured
 * for the arch or none can be fetched with the expected digest.
 */
export async function ensureNerdctlArchive(
  config: LimaYAML,
  options: NerdctlArchiveOptions = {},
): Promise<string | undefined> {
  if (!containerdEnabled(config)) return undefined;
  const candidates = nerdctlArchiveCandidates(config);
  if (candidates.length === 0) {
    throw new LimaError({
      summary: `no nerdctl archive is configured for the arch ${
        quote(config.arch ?? "")
      }`,
      hint:
        "add one to `containerd.archives`, or set `containerd.system` and `containerd.user` to false",
      path: "containerd.archives",
    });
  }
  const failures: string[] = [];
  let unreachable = false;
  for (const archive of candidates) {
    const location = archive.location!;
    try {
      const result = await download("", location, {
        ...options,
        digest: archive.digest ?? undefined,
        description: "the nerdctl archive",
      });
      if (result.cachePath) return result.cachePath;
      failures.push(
        `${quote(location)}: not found in the cache after download`,
      );
    } catch (err) {
      unreachable ||= isUnreachable(err);
      failures.push(`${quote(location)}: ${messageWithoutHint(err)}`);
      logger.warn(`Failed to download ${quote(location)}`, {
        error: messageWithoutHint(err),
      });
    }
  }
  const local =
    "or download the archive yourself and set `containerd.archives[].location` to its local path";
  throw new LimaError({
    summary: "failed to download the nerdctl archive",
    detail: failures.join("; "),
    path: "containerd.archives",
    hint: unreachable
      ? `${NETWORK_HINT}, ${local}`
      : local.replace(/^or d/, "d"),
  });
}
