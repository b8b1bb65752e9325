import assert from "node:assert/strict";
import { configureLogger, logger, loggerWrite } from "../log.ts";
import { BootDisplay, describePhase } from "./boot_display.ts";

/** What the display writes to go back to the line's start and clear it, made visible. */
const redraws = (out: string[]) => out.join("").replaceAll("\r\x1b[K", "<CR>");

Deno.test("on a terminal the phases redraw one line, and log lines do not break it", () => {
  const out: string[] = [];
  const since = new Date(Date.now() - 2000);
  const display = new BootDisplay({
    since,
    style: "line",
    write: (t) => out.push(t),
    columns: 200,
    tickMs: 60_000,
  });
  const logged: string[] = [];
  const write = loggerWrite();
  const capture = (l: string) => void logged.push(l);
  configureLogger({ write: capture });
  try {
    display.show({ phase: "vm-started" }, new Date(since.getTime() + 1000));
    display.show(
      { phase: "kernel", detail: "Linux version 6.1" },
      new Date(since.getTime() + 1500),
    );
    logger.info('Waiting for the essential requirement 1 of 3: "ssh"');
    display.end();
    // Once ended, the logger writes its lines itself again.
    assert.equal(loggerWrite(), capture);
  } finally {
    configureLogger({ write });
  }
  const screen = redraws(out);
  assert.match(
    screen,
    /^<CR>Booting \[\d+\.\ds\] VM started \(at 1\.0s\)<CR>Booting \[\d+\.\ds\] kernel \(at 1\.5s\): Linux version 6\.1/,
  );
  // The log line took the line's place, and the line was drawn again after it.
  assert.equal(logged.length, 1);
  assert.match(screen, /version 6\.1<CR><CR>Booting/);
  assert.ok(screen.endsWith("\n"));
});

Deno.test("the line fits the terminal", () => {
  const out: string[] = [];
  const display = new BootDisplay({
    since: new Date(),
    style: "line",
    write: (t) => out.push(t),
    columns: 40,
    tickMs: 60_000,
  });
  display.show({ phase: "kernel", detail: "x".repeat(100) }, new Date());
  display.end();
  const lines = redraws(out).split(/<CR>|\n/).filter(Boolean);
  for (const line of lines) assert.ok(line.length < 40, line);
  assert.match(lines[0], /^Booting \[[\d.]+s\] kernel \(at /);
});

Deno.test("a phase reads as its label with the requirement or console line it came with", () => {
  assert.equal(describePhase({ phase: "sshd" }), "sshd up");
  assert.equal(
    describePhase({ phase: "requirement", detail: "ssh" }),
    "requirement satisfied: ssh",
  );
  assert.equal(
    describePhase({ phase: "kernel", detail: "y".repeat(100) }).length,
    "kernel: ".length + 72,
  );
});
