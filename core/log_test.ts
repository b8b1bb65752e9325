import { deepStrictEqual } from "node:assert/strict";
import { configureLogger, logger, type LoggerOptions } from "./log.ts";

/** The lines logged by FN with OPTIONS. */
function capture(options: Partial<LoggerOptions>, fn: () => void): string[] {
  const lines: string[] = [];
  configureLogger({
    level: "debug",
    format: "text",
    ...options,
    write: (line) => lines.push(line.replace(/\[\d{4}\]/, "[0000]")),
  });
  try {
    fn();
  } finally {
    configureLogger({
      level: "info",
      terminal: false,
      colors: false,
      write: (line) =>
        Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
  }
  return lines;
}

const everyLevel = () => {
  logger.debug("d");
  logger.info("i");
  logger.warn("w", { key: "v" });
  logger.error("e");
  logger.fatal("f");
};

Deno.test("on a terminal, level tags are coloured like logrus' text formatter", () => {
  deepStrictEqual(capture({ terminal: true, colors: true }, everyLevel), [
    "\x1b[37mDEBU\x1b[0m[0000] d",
    "\x1b[36mINFO\x1b[0m[0000] i",
    `\x1b[33mWARN\x1b[0m[0000] w${" ".repeat(43)}  \x1b[33mkey\x1b[0m=v`,
    "\x1b[31mERRO\x1b[0m[0000] e",
    "\x1b[31mFATA\x1b[0m[0000] f",
  ]);
});

Deno.test("without colours the terminal lines are plain", () => {
  deepStrictEqual(capture({ terminal: true, colors: false }, everyLevel), [
    "DEBU[0000] d",
    "INFO[0000] i",
    `WARN[0000] w${" ".repeat(43)}  key=v`,
    "ERRO[0000] e",
    "FATA[0000] f",
  ]);
});
