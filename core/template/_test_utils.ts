/** Shared fixtures for the template tests: scoped environment variables, files and log capture. */
import { dirname, join } from "node:path";
import { configureLogger } from "../log.ts";

/** Runs FN with environment variables set (undefined: removed), restoring them afterwards. */
export async function withEnv<T>(
  vars: Record<string, string | undefined>,
  fn: () => T | Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(
    Object.keys(vars).map((k) => [k, Deno.env.get(k)]),
  );
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

/** A fresh directory holding FILES (relative path → content), removed after FN. */
export async function withFiles<T>(
  files: Record<string, string | Uint8Array>,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "lima-template-test-" });
  try {
    for (const [path, content] of Object.entries(files)) {
      const file = join(dir, path);
      await Deno.mkdir(dirname(file), { recursive: true });
      if (typeof content === "string") await Deno.writeTextFile(file, content);
      else await Deno.writeFile(file, content);
    }
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs FN and returns the log lines it produced along with its result. */
export async function captureLog<T>(
  fn: () => Promise<T>,
): Promise<{ lines: string[]; result: T }> {
  const lines: string[] = [];
  configureLogger({
    write: (line) => lines.push(line),
    format: "text",
    terminal: false,
  });
  try {
    return { lines, result: await fn() };
  } finally {
    configureLogger({
      write: (line) =>
        Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
  }
}
