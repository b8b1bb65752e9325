/** Where Lima's download cache lives (`WithCache` in Lima's `pkg/downloader/downloader.go`). */
import { isAbsolute, join } from "node:path";
import { homedir } from "node:os";
import { createHash } from "node:crypto";
import { LimaError } from "../errors.ts";

/**
 * The cache root, `<user cache dir>/lima`, where the user cache dir is what Go's
 * `os.UserCacheDir()` returns (Lima has no variable of its own for it):
 * Linux and other Unix `$XDG_CACHE_HOME` or `~/.cache`, macOS `~/Library/Caches`,
 * Windows `%LocalAppData%`.
 */
export function cacheDir(): string {
  return join(userCacheDir(), "lima");
}

function userCacheDir(): string {
  const env = (name: string) => Deno.env.get(name) ?? "";
  switch (Deno.build.os) {
    case "windows": {
      const dir = env("LocalAppData");
      if (!dir) {
        throw new LimaError({
          summary:
            "cannot find the cache directory: %LocalAppData% is not defined",
        });
      }
      return dir;
    }
    case "darwin":
      return join(homedir(), "Library", "Caches");
    default: {
      const xdg = env("XDG_CACHE_HOME");
      if (xdg && !isAbsolute(xdg)) {
        throw new LimaError({
          summary:
            "cannot find the cache directory: XDG_CACHE_HOME is not an absolute path",
          detail: xdg,
        });
      }
      return xdg || join(homedir(), ".cache");
    }
  }
}

/** `<cache>/download/by-url-sha256`: one sub-directory per URL. */
export function downloadCacheRoot(cache: string = cacheDir()): string {
  return join(cache, "download", "by-url-sha256");
}

/** The cache key of a URL: the hex SHA-256 of the URL string exactly as written. */
export function cacheKey(url: string): string {
  return createHash("sha256").update(url).digest("hex");
}

/** `<cache>/download/by-url-sha256/<sha256(url)>`: the cache entry of URL. */
export function cacheEntryDir(url: string, cache: string = cacheDir()): string {
  return join(downloadCacheRoot(cache), cacheKey(url));
}

/** File names inside a cache entry. */
export const CacheFiles = {
  url: "url",
  data: "data",
  time: "time",
  type: "type",
  /** The entity tag the server sent with `data` (Lima ignores it; it helps change detection). */
  etag: "etag",
  /** The partial download being written; renamed to `data` when complete and verified. */
  partial: "data.part",
  /** The `If-Range` validator that lets `data.part` be resumed. */
  partialValidator: "data.part.validator",
  /** `sha256.digest` etc.: the expected digest `data` was verified against. */
  digest: (algorithm: string) => `${algorithm}.digest`,
} as const;
