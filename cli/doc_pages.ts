/**
 * `limactl generate-doc` (Lima's `cmd/limactl/gendoc.go`): a page for every available command
 * of the tree, as cobra's doc generator writes them (`github.com/spf13/cobra/doc`): man pages
 * (`--type man`, the default: `limactl.1`, `limactl-disk-create.1`, … and Lima's `lima.1`)
 * with cobra's sections, written as roff directly, or Markdown for Lima's Hugo site
 * (`--type docsy`: `limactl.md`, `limactl_disk_create.md`, …). The pages say what `--help`
 * says: the help data of `help.ts`.
 */
import type { CommandUnknownOpts, Option } from "@commander-js/extra-typings";
import { basename, join, resolve } from "node:path";
import { errorMessage, LimaError } from "../core/errors.ts";
import { logger } from "../core/log.ts";
import { quote } from "../core/quote.ts";
import {
  roffArgument,
  roffBold,
  roffItalic,
  roffLiteral,
  roffParagraphs,
  roffText,
} from "../core/report/roff.ts";
import { homeDir } from "../core/store/paths.ts";
import {
  cobraLong,
  commandPath,
  examplesOf,
  flagRow,
  isHelpTopic,
  isRunnable,
  short,
  useLine,
} from "./help.ts";

type Cmd = CommandUnknownOpts;

export interface GenerateDocOptions {
  /** `man` or `docsy`; any other type writes nothing (as in Lima). */
  type: string;
  /** With PREFIX: the directory (made absolute) that the pages name, replaced by PREFIX. */
  output: string;
  prefix: string;
  /** The date of the man pages; default: `SOURCE_DATE_EPOCH`, else now. */
  date?: Date;
}

/** Writes the pages of ROOT's tree into DIR, which must exist. */
export async function generateDoc(
  root: Cmd,
  dir: string,
  o: GenerateDocOptions,
): Promise<void> {
  const output = resolve(o.output);
  if (o.type === "man") {
    logger.info(`Generating man ${quote(dir)}`);
    await writePage(join(dir, "lima.1"), limaManPage(root));
    const date = o.date ?? sourceDate();
    for (const cmd of docTree(root)) {
      const name = commandPath(cmd).replaceAll(" ", "-");
      await writePage(join(dir, `${name}.1`), manPage(cmd, date));
    }
  } else if (o.type === "docsy") {
    // Lima escapes the descriptions of the root's commands for the site (not deeper ones).
    const escaped = new Set(root.commands);
    for (const cmd of docTree(root)) {
      const file = join(dir, `${commandPath(cmd).replaceAll(" ", "_")}.md`);
      const page = markdownPage(
        cmd,
        (link) => "../" + link.replace(/\.md$/, ""),
        escaped.has(cmd) ? escapeMarkdown(cobraLong(cmd)) : cobraLong(cmd),
      );
      await writePage(file, docsyFrontMatter(file) + page);
    }
  }
  if (output !== "" && o.prefix !== "") {
    await replaceAll(dir, output, o.prefix);
  }
  await replaceAll(dir, homeDir(), "~");
}

/** The commands that get a page, children before their parent (as cobra writes them). */
function docTree(cmd: Cmd): Cmd[] {
  return [...docChildren(cmd).flatMap(docTree), cmd];
}

/** cobra's available commands that are no help topic, by name. */
function docChildren(cmd: Cmd): Cmd[] {
  return cmd.commands.filter(isAvailable).sort(byName);
}

const byName = (a: Cmd, b: Cmd) =>
  a.name() < b.name() ? -1 : a.name() > b.name() ? 1 : 0;

/** cobra's `IsAvailableCommand` and not `IsAdditionalHelpTopicCommand`. */
function isAvailable(cmd: Cmd): boolean {
  if ((cmd as unknown as { _hidden?: boolean })._hidden) return false;
  if (isHelpTopic(cmd) || (cmd.parent && cmd.name() === "help")) return false;
  return isRunnable(cmd) || cmd.commands.some(isAvailable);
}

// ---- flags ----

interface Flag {
  name: string;
  shorthand: string;
  /** pflag's type name (`string`, `bool`, `int`, `stringArray`, …). */
  type: string;
  /** pflag's `DefValue`. */
  defValue: string;
  usage: string;
  /** The `--help` column and usage, as `--help` shows them. */
  row: [string, string];
}

/** The placeholders that are pflag type names other than `string` (`<strings>` is `stringSlice`). */
const NON_STRING_TYPES = new Set([
  "int",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "float32",
  "float64",
  "float",
  "duration",
  "strings",
  "stringArray",
  "ints",
  "uints",
  "ipSlice",
  "bools",
]);

function optionFlag(o: Option): Flag {
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1];
  const type = placeholder === undefined
    ? "bool"
    : NON_STRING_TYPES.has(placeholder)
    ? placeholder
    : "string";
  return {
    name: (o.long ?? "").replace(/^--/, ""),
    shorthand: (o.short ?? "").replace(/^-/, ""),
    type,
    defValue: defValue(type, o.defaultValue),
    usage: o.description,
    row: flagRow(o, true),
  };
}

/** pflag's `DefValue`: the default's text, or the zero value of TYPE. */
function defValue(type: string, value: unknown): string {
  if (Array.isArray(value)) return `[${value.join(",")}]`;
  if (value !== undefined && value !== null) return String(value);
  if (type === "bool") return "false";
  if (type === "string") return "";
  if (type === "duration") return "0s";
  if (/s$|Array$|Slice$/.test(type)) return "[]";
  return "0";
}

function helpFlag(cmd: Cmd): Flag {
  const usage = `help for ${cmd.name()}`;
  return {
    name: "help",
    shorthand: "h",
    type: "bool",
    defValue: "false",
    usage,
    row: ["  -h, --help", usage],
  };
}

const byFlagName = (a: Flag, b: Flag) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** cobra's `NonInheritedFlags`: the command's own flags and its help flag. */
function localFlags(cmd: Cmd): Flag[] {
  return [
    ...cmd.options.filter((o) => !o.hidden).map(optionFlag),
    helpFlag(cmd),
  ].sort(byFlagName);
}

/** cobra's `InheritedFlags`: the root's flags, which every command accepts. */
function inheritedFlags(cmd: Cmd): Flag[] {
  if (!cmd.parent) return [];
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.options.filter((o) => !o.hidden).map(optionFlag).sort(
    byFlagName,
  );
}

/** pflag's `FlagUsages`: usages three columns after the widest flag, continuation lines indented. */
function flagUsages(flags: Flag[]): string {
  const width = Math.max(...flags.map((f) => f.row[0].length));
  return flags.map(({ row: [flag, usage] }) =>
    `${flag.padEnd(width)}   ${
      usage.replaceAll("\n", "\n" + " ".repeat(width + 3))
    }\n`
  ).join("");
}

// ---- Markdown (cobra's GenMarkdownCustom) ----

function markdownPage(
  cmd: Cmd,
  link: (file: string) => string,
  long: string,
): string {
  const name = commandPath(cmd);
  let page = `## ${name}\n\n${short(cmd)}\n\n`;
  if (long) page += `### Synopsis\n\n${long}\n\n`;
  if (isRunnable(cmd)) page += `\`\`\`\n${useLine(cmd)}\n\`\`\`\n\n`;
  const example = examplesOf(cmd);
  if (example) page += `### Examples\n\n\`\`\`\n${example}\n\`\`\`\n\n`;
  page += `### Options\n\n\`\`\`\n${flagUsages(localFlags(cmd))}\`\`\`\n\n`;
  const inherited = inheritedFlags(cmd);
  if (inherited.length) {
    page += `### Options inherited from parent commands\n\n\`\`\`\n${
      flagUsages(inherited)
    }\`\`\`\n\n`;
  }
  const children = docChildren(cmd);
  if (cmd.parent || children.length) {
    page += "### SEE ALSO\n\n";
    const entry = (c: Cmd) => {
      const path = commandPath(c);
      return `* [${path}](${link(`${path.replaceAll(" ", "_")}.md`)})\t - ${
        short(c)
      }\n`;
    };
    if (cmd.parent) page += entry(cmd.parent);
    for (const child of children) page += entry(child);
    page += "\n";
  }
  return page;
}

/** Lima's `escapeMarkdown`: Markdown's special characters escaped, lines kept apart. */
export function escapeMarkdown(text: string): string {
  const lines = text.split("\n");
  return lines.map((line, i) => {
    let escaped = line.replace(/[\\`*_[\]()#+\-.|]/g, (c) => `\\${c}`);
    if (i < lines.length - 1 && line !== "" && lines[i + 1] !== "") {
      escaped += "  ";
    }
    return escaped;
  }).join("\n");
}

/** The Hugo front matter Lima puts before each page (`limactl_disk_create.md`: "disk create"). */
function docsyFrontMatter(file: string): string {
  const title = basename(file).replaceAll("limactl_", "").replaceAll("_", " ")
    .replace(/\.[^.]*$/, "");
  return `---\ntitle: ${title}\nweight: 3\n---\n`;
}

// ---- man pages (cobra's GenMan, with Lima's header) ----

const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/** cobra's header date: `SOURCE_DATE_EPOCH` (for reproducible builds), else now. */
function sourceDate(): Date {
  const epoch = Deno.env.get("SOURCE_DATE_EPOCH");
  if (!epoch) return new Date();
  if (!/^[+-]?\d+$/.test(epoch)) {
    throw new LimaError({
      summary: `invalid SOURCE_DATE_EPOCH: strconv.ParseInt: parsing ${
        JSON.stringify(epoch)
      }: invalid syntax`,
    });
  }
  return new Date(Number(epoch) * 1000);
}

/**
 * Flag names, paths and URLs must not be broken at a hyphen (`.nh`) nor stretched apart
 * (`.ad l`); after `.TH`, which sets the page's default hyphenation again.
 */
const NO_HYPHENATION = [".nh", ".ad l"];

/**
 * CMD's man page with the sections of cobra's (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, OPTIONS
 * INHERITED FROM PARENT COMMANDS, EXAMPLE, SEE ALSO). Lima's pages have no HISTORY: its root
 * disables cobra's auto-generated tag, which that section is.
 */
function manPage(cmd: Cmd, date: Date): string {
  const dashed = commandPath(cmd).replaceAll(" ", "-");
  // cobra writes "Auto generated by spf13/cobra" as the source of every page but the root's
  // (Lima's root disables the tag, which reaches a command only after its header is written).
  const source = cmd.parent ? "Auto generated by spf13/cobra" : "";
  const month = `${MONTHS[date.getMonth()]} ${date.getFullYear()}`;
  const lines = [
    `.TH ${["LIMACTL", "1", month, source, ""].map(roffArgument).join(" ")}`,
    ...NO_HYPHENATION,
    ".SH NAME",
    `${roffText(dashed)} \\- ${roffText(short(cmd))}`,
    ".SH SYNOPSIS",
    roffBold(useLine(cmd)),
    ".SH DESCRIPTION",
    roffParagraphs(cobraLong(cmd) || short(cmd)),
    ".SH OPTIONS",
    ...localFlags(cmd).map(manFlag),
  ];
  const inherited = inheritedFlags(cmd);
  if (inherited.length) {
    lines.push(
      ".SH OPTIONS INHERITED FROM PARENT COMMANDS",
      ...inherited.map(manFlag),
    );
  }
  const example = examplesOf(cmd);
  if (example) lines.push(".SH EXAMPLE", roffLiteral(example));
  const children = docChildren(cmd);
  if (cmd.parent || children.length) {
    const seeAlso = [...(cmd.parent ? [cmd.parent] : []), ...children].map(
      (c) => `${roffBold(commandPath(c).replaceAll(" ", "-"))}(1)`,
    );
    lines.push(".SH SEE ALSO", seeAlso.join(", "));
  }
  return lines.join("\n") + "\n";
}

/** A flag as cobra's man pages list it: `-h, --help[=false]` or `--format="qcow2"`, then its usage. */
function manFlag(f: Flag): string {
  const names = f.shorthand
    ? `${roffBold(`-${f.shorthand}`)}, ${roffBold(`--${f.name}`)}`
    : roffBold(`--${f.name}`);
  const value = f.type === "string" ? JSON.stringify(f.defValue) : f.defValue;
  const shown = f.type === "bool" ? `[=${value}]` : `=${value}`;
  // A flag without usage gets no body line: an empty line would be a blank line in the page.
  const usage = f.usage.trim() ? [roffParagraphs(f.usage)] : [];
  return [".TP", names + roffText(shown), ...usage].join("\n");
}

/** Lima's own page for the `lima` wrapper. */
function limaManPage(root: Cmd): string {
  return [
    `.TH ${roffArgument("LIMA")} ${roffArgument("1")}`,
    ...NO_HYPHENATION,
    ".SH NAME",
    `lima \\- ${roffText(short(root))}`,
    ".SH SYNOPSIS",
    `${roffBold("lima")} [${roffItalic("COMMAND")}...]`,
    ".SH DESCRIPTION",
    roffParagraphs(`lima is an alias for "limactl shell default".
The instance name ("default") can be changed by specifying $LIMA_INSTANCE.

The shell and initial workdir inside the instance can be specified via $LIMA_SHELL
and $LIMA_WORKDIR.`),
    ".SH SEE ALSO",
    `${roffBold("limactl")}(1)`,
  ].join("\n") + "\n";
}

// ---- files ----

/** Writes PATH (created or truncated), with Go's wording when it cannot be opened. */
async function writePage(path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (err) {
    throw goFileError("open", path, err);
  }
}

function goFileError(op: string, path: string, err: unknown): LimaError {
  const why = err instanceof Deno.errors.NotFound
    ? "no such file or directory"
    : err instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : err instanceof Deno.errors.IsADirectory
    ? "is a directory"
    : errorMessage(err);
  return new LimaError({ summary: `${op} ${path}: ${why}` }, { cause: err });
}

/** Lima's `replaceAll`: TEXT becomes REPLACEMENT in every file directly in DIR. */
async function replaceAll(
  dir: string,
  text: string,
  replacement: string,
): Promise<void> {
  logger.info(`Replacing ${quote(text)} with ${quote(replacement)}`);
  try {
    await Deno.lstat(dir);
  } catch (err) {
    throw goFileError("lstat", dir, err);
  }
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory) names.push(entry.name);
  }
  // filepath.Walk goes in lexical order.
  names.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  for (const name of names) {
    const path = join(dir, name);
    let content: string;
    try {
      content = await Deno.readTextFile(path);
    } catch (err) {
      throw goFileError("open", path, err);
    }
    await writePage(path, content.replaceAll(text, replacement));
  }
}
