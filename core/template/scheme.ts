/** The scheme of a locator, as Go's `url.Parse` finds it in Lima's `pkg/limatmpl/locator.go`. */

/** The scheme of a URL-like locator (more than one letter, so `c:` stays a path), lower-cased, or undefined. */
export function locatorScheme(locator: string): string | undefined {
  const match = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(locator);
  return match?.[1].toLowerCase();
}

/**
 * Go's `URL.Opaque` of a locator with SCHEME: what follows `SCHEME:` without query and
 * fragment, or "" when it starts with `/` (then Go parses a host and a path instead).
 */
export function opaquePart(locator: string, scheme: string): string {
  const rest = locator.slice(scheme.length + 1).replace(/#.*$/s, "")
    .replace(/\?.*$/s, "");
  return rest.startsWith("/") ? "" : rest;
}
