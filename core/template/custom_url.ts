/**
 * Custom template locators (Lima's `TransformCustomURL` in `pkg/limatmpl/locator.go`):
 * `template://NAME`, `github:…` and schemes handled by `limactl-url-SCHEME` plugins are
 * rewritten, again and again, until a locator stays the same.
 */
import { type CLIPlugin, findPlugin } from "../cli_plugins/discover.ts";
import { runURLPlugin } from "../cli_plugins/url_plugin.ts";
import { LimaError } from "../errors.ts";
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import {
  GITHUB,
  type GitHubEndpoints,
  transformGitHubURL,
} from "./github_url.ts";
import { locatorScheme, opaquePart } from "./scheme.ts";

export interface CustomURLOptions {
  /** Where `github:` locators are resolved (default: GitHub itself). */
  github?: GitHubEndpoints;
  /** Finds the plugin for a scheme's `url-SCHEME` (default: the discovered CLI plugins). */
  findPlugin?: (name: string) => CLIPlugin | undefined;
}

/** LOCATOR with every custom scheme resolved; a locator seen twice is a redirect loop. */
export async function transformCustomURL(
  locator: string,
  options: CustomURLOptions = {},
): Promise<string> {
  const seen = new Set<string>();
  let github = false;
  let current = locator;
  while (!seen.has(current)) {
    seen.add(current);
    if (current.startsWith("github:")) github = true;
    const next = await transformOnce(current, options);
    if (next === current) {
      if (github) logger.warn("The github: scheme is still EXPERIMENTAL");
      return next;
    }
    logger.debug(`Locator ${quote(current)} replaced with ${quote(next)}`);
    current = next;
  }
  throw new LimaError({
    summary: `custom locator ${quote(locator)} has a redirect loop`,
  });
}

/** One rewriting step; a locator no rule applies to comes back unchanged. */
async function transformOnce(
  locator: string,
  options: CustomURLOptions,
): Promise<string> {
  const scheme = locatorScheme(locator);
  if (scheme === undefined) return locator;
  if (scheme === "template") return rewriteDeprecated(locator);
  if (scheme === "github") {
    return await transformGitHubURL(
      opaquePart(locator, scheme),
      options.github ?? GITHUB,
    );
  }
  const plugin = (options.findPlugin ?? findPlugin)(`url-${scheme}`);
  if (plugin === undefined) return locator;
  return await runURLPlugin(plugin, locator.slice(scheme.length + 1));
}

/** Rewrites the deprecated `template://NAME` form to `template:NAME`, with a warning. */
function rewriteDeprecated(locator: string): string {
  if (!/^template:\/\//i.test(locator)) return locator;
  const rewritten = `template:${locator.slice("template://".length)}`;
  logger.warn(
    `Template locator ${JSON.stringify(locator)} should be written ${
      JSON.stringify(rewritten)
    } since Lima v2.0`,
  );
  return rewritten;
}
