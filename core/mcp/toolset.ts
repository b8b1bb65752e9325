/**
 * What each MCP tool does in the guest (Lima's `pkg/mcp/toolset`), and the structured result
 * it returns; a thrown error becomes the tool's error text.
 */
// @ts-types="@types/ssh2"
import type { Stats } from "ssh2";
import { posix } from "node:path";
import { glob } from "./glob.ts";
import type { Guest } from "./guest.ts";
import { mkdirAll, readDir, readFile, writeFile } from "./guest_files.ts";
import { guestPathOf, hostWorkingDir } from "./host_path.ts";
import { goFileMode } from "./file_info.ts";
import { formatEventTime } from "../hostagent/events.ts";

/** `read_file` reads at most this much, as in Lima. */
const READ_LIMIT = 32 * 1024 * 1024;

type Args = Record<string, unknown>;
type Handler = (guest: Guest, args: Args) => Promise<Record<string, unknown>>;

/** An optional path argument, else the host's working directory. */
function pathOrCwd(args: Args): string {
  return typeof args.path === "string" && args.path !== ""
    ? args.path
    : hostWorkingDir();
}

async function runShellCommand(guest: Guest, args: Args) {
  const directory = guestPathOf(args.directory as string);
  const out = await guest.run(args.command as string[] ?? [], directory);
  return {
    stdout: out.stdout,
    stderr: out.stderr,
    ...(out.code === 0 ? {} : { error: `exit status ${out.code}` }),
    exit_code: out.code,
  };
}

/** A directory entry as Go's `fs.FileInfo` fields, in Lima's order. */
function entryOf(name: string, attrs: Stats) {
  return {
    name,
    size: attrs.size,
    mode: goFileMode(attrs.mode),
    // Go's local time.Time as JSON: RFC 3339 in the host's zone, as events are written.
    time: formatEventTime(new Date(attrs.mtime * 1000)),
    is_dir: attrs.isDirectory(),
  };
}

async function listDirectory(guest: Guest, args: Args) {
  const path = guestPathOf(args.path as string);
  const entries = await guest.withSFTP((sftp) => readDir(sftp, path));
  return {
    entries: entries.map((e) => entryOf(posix.basename(e.filename), e.attrs)),
  };
}

async function readFileTool(guest: Guest, args: Args) {
  const path = guestPathOf(args.path as string);
  const bytes = await guest.withSFTP((sftp) =>
    readFile(sftp, path, READ_LIMIT)
  );
  return { content: new TextDecoder().decode(bytes) };
}

async function writeFileTool(guest: Guest, args: Args) {
  const path = guestPathOf(args.path as string);
  await guest.withSFTP(async (sftp) => {
    await mkdirAll(sftp, posix.dirname(path));
    await writeFile(sftp, path, args.content as string);
  });
  return {};
}

async function globTool(guest: Guest, args: Args) {
  const dir = guestPathOf(pathOrCwd(args));
  const pattern = posix.join(dir, args.pattern as string);
  return { matches: await guest.withSFTP((sftp) => glob(sftp, pattern)) };
}

async function searchFileContent(guest: Guest, args: Args) {
  const directory = pathOrCwd(args);
  let target = guestPathOf(directory);
  if (typeof args.include === "string" && args.include !== "") {
    target = posix.join(target, args.include);
  }
  // Lima reports git grep's output whatever its exit code (1: nothing found).
  const out = await guest.run(
    ["git", "grep", "-n", "--no-index", args.pattern as string, target],
    directory,
  );
  return { git_grep_output: out.stdout };
}

/** The handlers by tool name. */
export const HANDLERS: Record<string, Handler> = {
  glob: globTool,
  list_directory: listDirectory,
  read_file: readFileTool,
  run_shell_command: runShellCommand,
  search_file_content: searchFileContent,
  write_file: writeFileTool,
};
