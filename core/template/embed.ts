/**
 * `base:` embedding (Lima's `pkg/limatmpl/embed.go`): bases are read, embedded recursively and
 * merged into the template one at a time; then keyed list entries are combined and `file:`
 * references inlined. Comments survive, and a template that is nothing but `base: X` becomes X's
 * text unchanged.
 */
import { join } from "node:path";
import { type Document, isMap, isScalar, isSeq, Scalar, YAMLSeq } from "yaml";
import { LimaError } from "../errors.ts";
import { configDir } from "../store/paths.ts";
import { combineListEntries } from "./combine.ts";
import {
  baseRefs,
  field,
  parseTemplate,
  renderTemplate,
  rootMap,
} from "./document.ts";
import { readTemplate, type Template, templateName } from "./locator.ts";
import { mergeBaseDocument } from "./merge.ts";
import { MAX_TEMPLATE_BYTES } from "../config/read_file.ts";
import { absolutizeDocument } from "./relative.ts";
import { embedScripts } from "./scripts.ts";

export interface EmbedOptions {
  /** Also inline `template:` bases and files (otherwise they stay references). */
  embedAll: boolean;
  /** Prepend `LIMA_HOME/_config/base.yaml` to the bases when it exists (instance creation). */
  defaultBase: boolean;
}

/** A template being embedded: its text stays authoritative until the document is changed. */
class Working {
  #doc: Document | undefined;
  dirty = false;

  constructor(readonly locator: string, public text: string) {}

  get doc(): Document {
    this.#doc ??= parseTemplate(this.text, this.locator);
    return this.#doc;
  }

  /** Takes over another template's content wholesale (text, document and state). */
  adopt(other: Working): void {
    this.#doc = other.doc;
    this.text = other.text;
    this.dirty = other.dirty;
  }

  render(): string {
    if (this.dirty) {
      this.text = renderTemplate(this.doc, this.text);
      this.dirty = false;
    }
    return this.text;
  }
}

function checkSize(w: Working): void {
  if (new TextEncoder().encode(w.render()).length > MAX_TEMPLATE_BYTES) {
    throw new LimaError({
      summary: `template ${
        JSON.stringify(w.locator)
      } embedding exceeded the size limit`,
      detail: `${MAX_TEMPLATE_BYTES} bytes`,
    });
  }
}

/** Prepends a base locator to the template's `base` list (turning a single base into a list). */
function prependBase(doc: Document, url: string): void {
  const root = rootMap(doc);
  const current = field(root, "base");
  const seq = new YAMLSeq();
  seq.items.push(new Scalar(url));
  if (isSeq(current)) seq.items.push(...current.items);
  else if (
    current !== undefined && !(isScalar(current) && current.value === null)
  ) {
    seq.items.push(current);
  }
  root.set("base", seq);
}

/** Whether the template says nothing but `base: X` (no other fields, no comments to keep). */
function onlyNamesOneBase(doc: Document): boolean {
  const root = doc.contents;
  if (!isMap(root) || root.items.length !== 1) return false;
  if (doc.commentBefore || doc.comment || root.commentBefore || root.comment) {
    return false;
  }
  const base = field(root, "base");
  return base !== undefined && (!isSeq(base) || base.items.length === 1);
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function embedBase(
  w: Working,
  url: string,
  embedAll: boolean,
  seen: Set<string>,
): Promise<void> {
  const read = await readTemplate(url);
  const base = new Working(read.locator, read.text);
  if (absolutizeDocument(base.doc, base.locator)) base.dirty = true;
  await embedAllBases(base, embedAll, false, seen);
  if (onlyNamesOneBase(w.doc)) {
    w.adopt(base);
  } else {
    mergeBaseDocument(w.doc, base.doc);
    w.dirty = true;
  }
  checkSize(w);
}

async function embedAllBases(
  w: Working,
  embedAll: boolean,
  defaultBase: boolean,
  seen: Set<string>,
): Promise<void> {
  if (defaultBase) {
    const path = join(configDir(), "base.yaml");
    if (await fileExists(path)) {
      prependBase(w.doc, path);
      w.dirty = true;
    }
  }
  for (;;) {
    const refs = baseRefs(w.doc, w.locator);
    if (refs.length === 0) break;
    const [first, ...rest] = refs;
    if (first.digest !== undefined) {
      throw new LimaError({
        summary: `base ${JSON.stringify(first.url)} in ${
          JSON.stringify(w.locator)
        } has specified a digest`,
        detail: "digest support is not yet implemented",
      });
    }
    if (!embedAll && templateName(first.url) !== undefined) {
      // `template:` bases stay references, so nothing after them may be inlined.
      const later = rest.find((ref) => templateName(ref.url) === undefined);
      if (later) {
        throw new LimaError({
          summary: `cannot embed template ${
            JSON.stringify(later.url)
          } after not embedding ${JSON.stringify(first.url)}`,
        });
      }
      break;
    }
    if (seen.has(first.url)) {
      throw new LimaError({
        summary: "base template loop detected",
        detail: `template ${JSON.stringify(first.url)} already included`,
      });
    }
    seen.add(first.url);
    await embedBase(w, first.url, embedAll, seen);
  }
  if (await embedScripts(w.doc, w.locator, embedAll)) w.dirty = true;
  checkSize(w);
}

/**
 * Embeds the template's bases and external files (`template:` references only with
 * `embedAll`), then combines keyed list entries. The result keeps the template's name
 * and locator.
 */
export async function embedTemplate(
  tmpl: Template,
  options: EmbedOptions,
): Promise<Template> {
  const w = new Working(tmpl.locator, tmpl.text);
  if (absolutizeDocument(w.doc, w.locator)) w.dirty = true;
  await embedAllBases(w, options.embedAll, options.defaultBase, new Set());
  if (combineListEntries(w.doc)) w.dirty = true;
  checkSize(w);
  return { ...tmpl, text: w.render() };
}
