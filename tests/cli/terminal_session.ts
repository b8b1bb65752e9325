/**
 * Driving `limactl` on a pseudo-terminal (util-linux `script`) like a user at a keyboard: wait
 * for a text on the screen, then type. Keys typed before a menu reads the terminal would be
 * taken by the line discipline instead, so every key waits for what it answers.
 */
import { type RunOptions, terminalCommand } from "./helpers.ts";

/** Arrow keys as a terminal sends them. */
export const KEY_UP = "\x1b[A";
export const KEY_DOWN = "\x1b[B";
export const KEY_ENTER = "\r";

/** Type SEND once the screen shows WAIT_FOR (after what the previous step waited for). */
export interface TerminalStep {
  waitFor: string;
  send: string;
}

export interface TerminalRun {
  code: number;
  /** Everything the terminal showed (stdout and stderr merged), colours and cursor moves removed. */
  screen: string;
}

// deno-lint-ignore no-control-regex
const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Whether util-linux `script` is there to give a command a terminal. */
export const hasScript = Deno.build.os !== "windows" &&
  await new Deno.Command("script", { args: ["--version"] }).output().then(
    (o) => o.success,
    () => false,
  );

/**
 * Runs `limactl ARGS` on a pseudo-terminal and plays STEPS; a run still going after 60 s is
 * killed, and a step whose text never shows fails with what the screen held.
 */
export async function onTerminalSession(
  args: string[],
  options: RunOptions & { steps: TerminalStep[] },
): Promise<TerminalRun> {
  const child = terminalCommand(args, options, {
    stderr: "null",
    timeoutMs: 60_000,
  }).spawn();
  const screen = new Screen(child.stdout);
  const keyboard = child.stdin.getWriter();
  try {
    for (const step of options.steps) {
      try {
        await screen.waitFor(step.waitFor);
      } catch (err) {
        // Whatever the command went on to do unasked (start a VM) stops with the test.
        child.kill();
        await child.status;
        throw err;
      }
      await keyboard.write(new TextEncoder().encode(step.send));
    }
    const { code } = await child.status;
    await screen.done;
    return { code, screen: screen.text };
  } finally {
    await keyboard.close().catch(() => {});
  }
}

/** What the terminal has shown so far, read as it comes. */
class Screen {
  #raw = "";
  #seen = 0;
  #ended = false;
  #changed: () => void = () => {};
  readonly done: Promise<void>;

  constructor(output: ReadableStream<Uint8Array>) {
    this.done = this.#read(output);
  }

  get text(): string {
    return this.#raw.replace(ESCAPES, "");
  }

  async #read(output: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of output) {
      this.#raw += decoder.decode(chunk, { stream: true });
      this.#changed();
    }
    this.#ended = true;
    this.#changed();
  }

  /** Resolves once TEXT shows after the last text waited for; rejects when output ends first. */
  async waitFor(text: string): Promise<void> {
    for (;;) {
      const at = this.text.indexOf(text, this.#seen);
      if (at >= 0) {
        this.#seen = at + text.length;
        return;
      }
      if (this.#ended) {
        throw new Error(`the terminal never showed ${text}:\n${this.text}`);
      }
      await new Promise<void>((resolve) => this.#changed = resolve);
    }
  }
}
