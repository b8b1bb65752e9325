/**
 * `limactl mcp info` and `limactl mcp serve` as an AI agent uses them: an MCP client of the
 * same SDK spawns the server on stdio and calls its tools in a fake running instance whose
 * guest is a real sshd on loopback.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { haveSSHD } from "../fixtures/sshd.ts";
import {
  assertFatal,
  createDummyInstance,
  limactlExpect,
  tempLimaHome,
} from "./helpers.ts";
import { runningFake } from "./running_fake.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** The tools of Lima's MCP server, by name. */
const TOOL_NAMES = [
  "glob",
  "list_directory",
  "read_file",
  "run_shell_command",
  "search_file_content",
  "write_file",
];

Deno.test("mcp info prints Lima's tools and their schemas as JSON", async () => {
  const limaHome = await tempLimaHome();
  try {
    const { stdout } = await limactlExpect(0, ["mcp", "info"], { limaHome });
    assert.ok(stdout.startsWith('{\n    "tools": [\n        {\n'));
    assert.ok(stdout.endsWith("}"), "no final newline, as in Lima");
    const { tools } = JSON.parse(stdout);
    assert.deepEqual(tools.map((t: { name: string }) => t.name), TOOL_NAMES);
    const run = tools.find((t: { name: string }) =>
      t.name === "run_shell_command"
    );
    assert.equal(run.description, "Executes a given shell command.");
    assert.deepEqual(run.inputSchema.required, ["command", "directory"]);
    assert.deepEqual(Object.keys(run.inputSchema.properties), [
      "command",
      "description",
      "directory",
    ]);
    assert.deepEqual(run.outputSchema.required, ["stdout", "stderr"]);
    assert.deepEqual(Object.keys(run.outputSchema.properties), [
      "error",
      "exit_code",
      "stderr",
      "stdout",
    ]);
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

Deno.test("mcp serve refuses a missing or stopped instance", async () => {
  const limaHome = await tempLimaHome();
  try {
    let r = await limactlExpect(1, ["mcp", "serve", "nosuch"], { limaHome });
    assertFatal(r.stderr, "instance `nosuch` does not exist…");
    await createDummyInstance("stopped", { limaHome });
    r = await limactlExpect(1, ["mcp", "serve", "stopped"], { limaHome });
    assertFatal(
      r.stderr,
      "expected status of instance `stopped` to be `Running`, got `Stopped`",
    );
    r = await limactlExpect(1, ["mcp", "serve", "a", "b"], { limaHome });
    assertFatal(r.stderr, "accepts at most 1 arg(s), received 2");
  } finally {
    await Deno.remove(limaHome, { recursive: true });
  }
});

/** An MCP client connected to `limactl mcp serve vm`, run in CWD. */
async function mcpClient(limaHome: string, cwd: string): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: Deno.execPath(),
      args: ["run", "-A", "--quiet", MAIN, "mcp", "serve", "vm"],
      env: { ...Deno.env.toObject(), LIMA_HOME: limaHome },
      cwd,
      stderr: "ignore",
    }),
  );
  return client;
}

/** The text of the single content block of RESULT. */
function text(result: { content?: unknown }): string {
  const [block] = result.content as { type: string; text: string }[];
  assert.equal(block.type, "text");
  return block.text;
}

Deno.test({
  name: "mcp serve runs commands and reads and writes files in the guest",
  ignore: !haveSSHD(),
}, async () => {
  await using fake = await runningFake();
  const { limaHome, work } = fake;
  const client = await mcpClient(limaHome, work);
  try {
    assert.equal(client.getServerVersion()?.name, "lima");
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t: { name: string }) => t.name).sort(),
      TOOL_NAMES,
    );

    let r = await client.callTool({
      name: "run_shell_command",
      arguments: { command: ["pwd"], directory: work },
    });
    assert.deepEqual(r.structuredContent, {
      stdout: `${work}\n`,
      stderr: "",
      exit_code: 0,
    });
    assert.deepEqual(JSON.parse(text(r)), r.structuredContent);
    r = await client.callTool({
      name: "run_shell_command",
      arguments: {
        command: ["sh", "-c", "echo NO >&2; exit 13"],
        directory: "/",
      },
    });
    assert.deepEqual(r.structuredContent, {
      stdout: "",
      stderr: "NO\n",
      error: "exit status 13",
      exit_code: 13,
    });
    r = await client.callTool({
      name: "run_shell_command",
      arguments: { command: ["true"], directory: join(work, "etcetera") },
    });
    const failed = r.structuredContent as Record<string, unknown>;
    assert.equal(failed.exit_code, 1);
    assert.match(failed.stderr as string, /No such file or directory/);

    const file = join(work, "new dir", "file.txt");
    r = await client.callTool({
      name: "write_file",
      arguments: { path: file, content: "<hello> & 💡\n" },
    });
    assert.equal(r.isError, undefined);
    assert.equal(text(r), "{}");
    assert.equal(await Deno.readTextFile(file), "<hello> & 💡\n");
    r = await client.callTool({ name: "read_file", arguments: { path: file } });
    assert.deepEqual(r.structuredContent, { content: "<hello> & 💡\n" });
    // Go's encoder escapes HTML characters in the text copy.
    assert.equal(text(r), '{"content":"\\u003chello\\u003e \\u0026 💡\\n"}');

    r = await client.callTool({
      name: "read_file",
      arguments: { path: join(work, "missing") },
    });
    assert.deepEqual([r.isError, text(r)], [true, "file does not exist"]);
    r = await client.callTool({
      name: "write_file",
      arguments: { path: "relative.txt", content: "x" },
    });
    assert.equal(r.isError, true);
    assert.equal(
      text(r),
      "expected an absolute path, got a relative path: `relative.txt`",
    );
    r = await client.callTool({ name: "read_file", arguments: {} });
    assert.equal(
      text(r),
      'validating "arguments": validating root: required: missing properties: ["path"]',
    );

    // Without a path, glob and search work in the host's working directory.
    r = await client.callTool({
      name: "glob",
      arguments: { pattern: "*/*.txt" },
    });
    assert.deepEqual(r.structuredContent, { matches: [file] });
    r = await client.callTool({
      name: "glob",
      arguments: { pattern: "nothing.to.see" },
    });
    assert.deepEqual(r.structuredContent, { matches: [] });
    // As Lima's tests do, search in a git work tree (git 2.39's `grep --no-index` aborts
    // on an absolute path outside of one).
    await new Deno.Command("git", { args: ["init", "-q", work] }).output();
    r = await client.callTool({
      name: "search_file_content",
      arguments: { pattern: "💡" },
    });
    assert.deepEqual(r.structuredContent, {
      git_grep_output: "new dir/file.txt:1:<hello> & 💡\n",
    });

    r = await client.callTool({
      name: "list_directory",
      arguments: { path: join(work, "new dir") },
    });
    const [entry] = (r.structuredContent as {
      entries: Record<string, unknown>[];
    }).entries;
    // A regular file's Go file mode is its permission bits alone.
    assert.deepEqual(
      [entry.name, entry.size, entry.is_dir, entry.mode],
      ["file.txt", 15, false, (await Deno.stat(file)).mode! & 0o777],
    );
  } finally {
    await client.close();
  }
});
