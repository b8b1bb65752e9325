/**
 * The tools of Lima's "MCP Sandbox Interface" (Lima's `pkg/mcp/msi`): names, descriptions and
 * the JSON Schemas Lima's Go SDK infers from its parameter and result types (with
 * jsonschema-go: pointers and slices also accept `null`, structs allow no other property).
 * Keys are sorted and the tools are sorted by name, as `limactl mcp info` prints them.
 */

/** A JSON Schema, as plain data. */
export type JSONSchema = { [key: string]: unknown };

/** One MCP tool as `tools/list` reports it. */
export interface ToolDefinition {
  description: string;
  inputSchema: JSONSchema;
  name: string;
  outputSchema: JSONSchema;
}

/** A struct's schema: PROPERTIES, the REQUIRED ones in field order, nothing else allowed. */
function object(
  properties: Record<string, JSONSchema>,
  required: string[],
): JSONSchema {
  return {
    additionalProperties: false,
    ...(Object.keys(properties).length ? { properties } : {}),
    ...(required.length ? { required } : {}),
    type: "object",
  };
}

const text = (description: string): JSONSchema => ({
  description,
  type: "string",
});
const optional = (type: string, description: string): JSONSchema => ({
  description,
  type: ["null", type],
});
const strings = (description: string): JSONSchema => ({
  description,
  items: { type: "string" },
  type: ["null", "array"],
});

/** A `list_directory` entry: Go's `fs.FileInfo` as Lima reports it. */
const DIRECTORY_ENTRY = object({
  is_dir: optional("boolean", "true for a directory"),
  mode: {
    description: "file mode bits",
    maximum: 4294967295,
    minimum: 0,
    type: ["null", "integer"],
  },
  name: text("base name of the file"),
  size: optional(
    "integer",
    "length in bytes for regular files; system-dependent for others",
  ),
  time: optional("string", "modification time"),
}, ["name"]);

const SEARCH_PATH =
  "The absolute path to the directory to search within. Defaults to the current working directory.";

export const TOOLS: readonly ToolDefinition[] = [
  {
    description:
      "Finds files matching specific glob patterns (e.g., src/**/*.ts, *.md)",
    inputSchema: object({
      path: optional(
        "string",
        "The absolute path to the directory to search within. If omitted, searches the tool's root directory.",
      ),
      pattern: text(
        "The glob pattern to match against (e.g., '*.py', 'src/**/*.js').",
      ),
    }, ["pattern"]),
    name: "glob",
    outputSchema: object({
      matches: strings(
        "A list of absolute file paths that match the provided glob pattern.",
      ),
    }, ["matches"]),
  },
  {
    description:
      "Lists the names of files and subdirectories directly within a specified directory path.",
    inputSchema: object({
      path: text("The absolute path to the directory to list."),
    }, ["path"]),
    name: "list_directory",
    outputSchema: object({
      entries: {
        description: "The directory content entries.",
        items: DIRECTORY_ENTRY,
        type: ["null", "array"],
      },
    }, ["entries"]),
  },
  {
    description: "Reads and returns the content of a specified file.",
    inputSchema: object({
      path: text("The absolute path to the file to read."),
    }, ["path"]),
    name: "read_file",
    outputSchema: object({
      content: text("The content of the file."),
    }, ["content"]),
  },
  {
    description: "Executes a given shell command.",
    inputSchema: object({
      command: strings(
        "The exact shell command to execute. Defined as a string slice, unlike Gemini's run_shell_command that defines it as a single string.",
      ),
      description: text(
        "A brief description of the command's purpose, which will be potentially shown to the user.",
      ),
      directory: text(
        "The absolute directory in which to execute the command. Unlike Gemini's run_shell_command, this must not be a relative path, and must not be empty.",
      ),
    }, ["command", "directory"]),
    name: "run_shell_command",
    outputSchema: object({
      error: text("Any error message reported by the subprocess."),
      exit_code: optional("integer", "Exit code of the command."),
      stderr: text("Output from the standard error stream."),
      stdout: text("Output from the standard output stream."),
    }, ["stdout", "stderr"]),
  },
  {
    description:
      "Searches for a regular expression pattern within the content of files in a specified directory. Internally calls 'git grep -n --no-index'.",
    inputSchema: object({
      include: optional(
        "string",
        "A glob pattern to filter which files are searched (e.g., '*.js', 'src/**/*.{ts,tsx}'). If omitted, searches most files (respecting common ignores).",
      ),
      path: optional("string", SEARCH_PATH),
      pattern: text(
        "The regular expression (regex) to search for (e.g., 'function\\s+myFunction').",
      ),
    }, ["pattern"]),
    name: "search_file_content",
    outputSchema: object({
      git_grep_output: text(
        "The raw output from the 'git grep -n --no-index' command, containing matching lines with filenames and line numbers.",
      ),
    }, ["git_grep_output"]),
  },
  {
    description:
      "Writes content to a specified file. If the file exists, it will be overwritten. If the file doesn't exist, it (and any necessary parent directories) will be created.",
    inputSchema: object({
      content: text("The content to write into the file."),
      path: text("The absolute path to the file to write to."),
    }, ["path", "content"]),
    name: "write_file",
    outputSchema: object({}, []),
  },
];
