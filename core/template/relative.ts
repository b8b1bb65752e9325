/**
 * Relative `base:` and `file:` references (Lima's `pkg/limatmpl/abs.go`) are resolved against the
 * template that contains them, so a copied or embedded template still points at the same files.
 */
import { dirname, join, normalize, posix, resolve } from "node:path";
import { homedir } from "node:os";
import type { Document } from "yaml";
import { isScalar } from "yaml";
import { LimaError } from "../errors.ts";
import {
  baseRefs,
  fileRefs,
  type LocatorRef,
  parseTemplate,
  renderTemplate,
} from "./document.ts";
import { locatorScheme, type Template } from "./locator.ts";

/** The "directory" of a locator: a URL without its last path segment, or a file's directory. */
export function locatorDirectory(locator: string): string {
  if (locator === "-") return "-";
  const scheme = locatorScheme(locator);
  if (scheme !== undefined) {
    const rest = locator.slice(scheme.length + 1);
    const dir = (path: string) => {
      const d = posix.dirname(path);
      return d === "." ? "" : d;
    };
    if (!rest.startsWith("//")) return `${scheme}:${dir(rest)}`;
    const url = new URL(locator);
    return `${scheme}://${dir(url.host + decodeURIComponent(url.pathname))}`;
  }
  return dirname(resolve(locator));
}

function expandTilde(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return path;
}

/**
 * REF made absolute against DIRECTORY (from `locatorDirectory`). URLs and absolute paths
 * are kept, `~` is expanded; relative paths may not climb out with `../` and are refused
 * for templates read from stdin.
 */
export function absoluteLocator(ref: string, directory: string): string {
  if (ref === "") throw new LimaError({ summary: "locator is empty" });
  if (locatorScheme(ref) !== undefined) return ref;
  const path = expandTilde(ref);
  if (path.startsWith("/")) return normalize(path);
  if (directory === "-") {
    throw new LimaError({
      summary: `can't use relative paths when reading template from STDIN`,
      detail: JSON.stringify(ref),
    });
  }
  if (path.includes("../")) {
    throw new LimaError({
      summary: `relative locator path ${
        JSON.stringify(ref)
      } must not contain '..' path segments`,
    });
  }
  const scheme = locatorScheme(directory);
  if (scheme === undefined) return normalize(join(directory, path));
  const rest = directory.slice(scheme.length + 1);
  if (!rest.startsWith("//")) return `${scheme}:${posix.join(rest, path)}`;
  const url = new URL(directory);
  url.pathname = posix.join(url.pathname, path);
  return url.toString();
}

function rewrite(ref: LocatorRef, url: string): boolean {
  if (ref.url === url || !isScalar(ref.urlNode)) return false;
  ref.urlNode.value = url;
  return true;
}

/**
 * Rewrites the relative `base`, `provision[].file` and `probes[].file` references of a
 * parsed template in place; returns whether anything changed.
 */
export function absolutizeDocument(doc: Document, locator: string): boolean {
  const directory = locatorDirectory(locator);
  const refs = [
    ...baseRefs(doc, locator),
    ...fileRefs(doc, "provision", locator).map((f) => f.ref),
    ...fileRefs(doc, "probes", locator).map((f) => f.ref),
  ];
  let changed = false;
  for (const ref of refs) {
    let url: string;
    try {
      url = absoluteLocator(ref.url, directory);
    } catch (err) {
      if (err instanceof LimaError) {
        throw new LimaError({ ...err.diagnostic, file: locator }, {
          cause: err,
        });
      }
      throw err;
    }
    if (rewrite(ref, url)) changed = true;
  }
  return changed;
}

/**
 * The template with its relative references made absolute (the default behaviour of
 * `limactl template copy`); the text is unchanged when there is nothing to rewrite.
 */
export function makeLocatorsAbsolute(tmpl: Template): Template {
  const doc = parseTemplate(tmpl.text, tmpl.locator);
  if (!absolutizeDocument(doc, tmpl.locator)) return tmpl;
  return { ...tmpl, text: renderTemplate(doc, tmpl.text) };
}
