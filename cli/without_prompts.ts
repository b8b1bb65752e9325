/**
 * Deno asks on a terminal before a sandboxed driver Worker touches what it was not granted,
 * and answering "y" there would grant it: a process that may run third-party drivers must
 * never prompt. The compiled binary is built with `--no-prompt` and `deno task limactl` sets
 * `DENO_NO_PROMPT`; a plain `deno run -A main.ts` on a terminal runs itself again with
 * prompts off.
 */

/** The exit code of this command run again without prompts, or undefined when it need not be. */
export async function rerunWithoutPrompts(
  args: string[],
): Promise<number | undefined> {
  if (Deno.build.standalone || Deno.env.get("DENO_NO_PROMPT")) return undefined;
  // Deno only prompts when both stdin and stderr are terminals.
  if (!Deno.stdin.isTerminal() || !Deno.stderr.isTerminal()) return undefined;
  // Loaded here, not at the top: main.ts imports this file on every run, `list` included.
  const { selfCommand } = await import("../core/hostagent/spawn.ts");
  const [program, ...prefix] = selfCommand();
  const child = new Deno.Command(program, {
    args: [...prefix, ...args],
    env: { DENO_NO_PROMPT: "1" },
  }).spawn();
  // Ctrl-C reaches the child through the terminal's process group: let it decide.
  const ignore = () => {};
  Deno.addSignalListener("SIGINT", ignore);
  try {
    return (await child.status).code;
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
  }
}
