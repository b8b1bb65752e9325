/**
 * Template locators (Lima's `pkg/limatmpl/locator.go`): `template:NAME`, http(s) URLs,
 * `file:///abs` URLs, `-` (stdin), image URLs and local paths, each read into a template with a
 * derived instance name. Custom locators (`github:…`, `limactl-url-SCHEME` plugins) are first
 * turned into one of these.
 */
import { basename, resolve } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { type CustomURLOptions, transformCustomURL } from "./custom_url.ts";
import { imageTemplate, isImageURL } from "./image_url.ts";
import {
  decodeUTF8,
  fetchBytes,
  readLocalBytes,
  readStreamCapped,
} from "../config/read_file.ts";
import { readStoredTemplate } from "./search_path.ts";
import { locatorScheme } from "./scheme.ts";

export { locatorScheme };

/** A template as read from a locator. */
export interface Template {
  /** The instance name derived from the locator ("" for stdin). */
  name: string;
  /** Where the template came from; local paths are made absolute. */
  locator: string;
  /** The YAML text. */
  text: string;
}

export interface ReadOptions extends CustomURLOptions {
  /** Supplies the text for the locator `-` (default: all of the process's stdin). */
  stdin?: () => Promise<string>;
}

/** The template name of a `template:NAME` locator, or undefined for other locators. */
export function templateName(locator: string): string | undefined {
  if (locatorScheme(locator) !== "template") return undefined;
  return locator.slice("template:".length).replace(/^\/\//, "");
}

/** The instance name for a template file: its base name, lower-cased, without `.yaml`/`.yml`. */
export function instanceNameFromPath(path: string): string {
  return basename(path).toLowerCase().replace(/\.yml$/, "").replace(
    /\.yaml$/,
    "",
  );
}

interface Loaded {
  name: string;
  locator: string;
  bytes: Uint8Array;
}

async function readStdin(options: ReadOptions): Promise<Uint8Array> {
  if (options.stdin) return new TextEncoder().encode(await options.stdin());
  return await readStreamCapped(Deno.stdin.readable, "standard input");
}

function nameFromURL(url: string): string {
  const path = new URL(url).pathname;
  return instanceNameFromPath(
    decodeURIComponent(path.slice(path.lastIndexOf("/") + 1)),
  );
}

async function load(
  locator: string,
  options: ReadOptions,
  images: boolean,
): Promise<Loaded> {
  if (images && isImageURL(locator)) {
    const { name, text } = imageTemplate(locator);
    return { name, locator, bytes: new TextEncoder().encode(text) };
  }
  const scheme = locatorScheme(locator);
  const name = templateName(locator);
  if (name !== undefined) {
    const stored = await readStoredTemplate(name);
    return { name: instanceNameFromPath(name), locator, bytes: stored.bytes };
  }
  if (scheme === "http" || scheme === "https") {
    return {
      name: nameFromURL(locator),
      locator,
      bytes: await fetchBytes(locator),
    };
  }
  if (scheme === "file") {
    const path = decodeURIComponent(locator.slice("file://".length));
    if (!path.startsWith("/")) {
      throw new LimaError({
        summary: `file URL ${JSON.stringify(locator)} is not an absolute path`,
      });
    }
    return {
      name: nameFromURL(locator),
      locator,
      bytes: await readLocalBytes(path),
    };
  }
  if (locator === "-") {
    return { name: "", locator, bytes: await readStdin(options) };
  }
  const path = resolve(locator);
  try {
    return {
      name: instanceNameFromPath(path),
      locator: path,
      bytes: await readLocalBytes(path),
    };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound && scheme !== undefined) {
      throw new LimaError({
        summary: "no such file",
        hint:
          `locators with the scheme "${scheme}:" need the URL plugin "limactl-url-${scheme}"`,
      }, { cause: err });
    }
    throw err;
  }
}

function readFailure(summary: string, err: unknown): LimaError {
  if (err instanceof LimaError) {
    const { summary: inner, detail, hint } = err.diagnostic;
    return new LimaError({
      summary,
      detail: detail ? `${inner}: ${detail}` : inner,
      hint,
    }, { cause: err });
  }
  const detail = err instanceof Deno.errors.NotFound
    ? "no such file or directory"
    : errorMessage(err);
  return new LimaError({ summary, detail }, { cause: err });
}

/**
 * Reads the template a locator names, deriving the instance name from it. As in Lima, the
 * template keeps the locator as written (relative references resolve against it) unless it
 * led to a local file, whose absolute path it gets; `template://` counts as written `template:`.
 */
export async function readTemplate(
  locator: string,
  options: ReadOptions = {},
): Promise<Template> {
  // Lima reports a failing custom locator with its own message, not as a failed read.
  const resolved = await transformCustomURL(locator, options);
  try {
    const loaded = await load(resolved, options, true);
    const asWritten = templateName(locator) === undefined ? locator : resolved;
    return {
      name: loaded.name,
      locator: loaded.locator === resolved ? asWritten : loaded.locator,
      text: decodeUTF8(loaded.bytes, "the template"),
    };
  } catch (err) {
    throw readFailure(
      `failed to read template ${JSON.stringify(locator)}`,
      err,
    );
  }
}

/**
 * Reads the raw content a locator names (for `file:` embedding: no image-URL templates);
 * FIELD, the field holding the locator, is named in errors.
 */
export async function readLocatorBytes(
  locator: string,
  field: string,
  options: ReadOptions = {},
): Promise<Uint8Array> {
  try {
    const resolved = await transformCustomURL(locator, options);
    return (await load(resolved, options, false)).bytes;
  } catch (err) {
    throw readFailure(
      `failed to read ${JSON.stringify(locator)} (field \`${field}\`)`,
      err,
    );
  }
}
