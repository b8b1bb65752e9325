/**
 * What the VM tests check of `limactl start`'s boot phases (core/hostagent/boot_phases.ts) and of
 * a stuck boot: the phases a normal start of the test guest shows, in its log, in the host
 * agent's events and on a terminal; and a start that must fail early naming the cause.
 */
import assert from "node:assert/strict";
import { terminalCommand } from "../cli/helpers.ts";
import { BOOT_TIMEOUT, decoder, type Lima, seconds } from "./harness.ts";

/** What the issue asks of a stuck boot: start fails within this. */
export const STUCK_START_MS = 90_000;

/** The phases a normal start of the test guest shows, in order (labels of boot_phases.ts). */
export const NORMAL_PHASES = [
  "VM started",
  "kernel",
  "initrd",
  "userspace",
  "cloud-init init-local",
  "cloud-init init",
  "sshd up",
  "requirement satisfied",
  "boot scripts done",
  "READY",
];

/** The phase names of the same boot in the host agent's events. */
export const NORMAL_EVENTS = [
  "vm-started",
  "kernel",
  "initrd",
  "userspace",
  "cloud-init-local",
  "cloud-init-network",
  "sshd",
  "requirement",
  "boot-scripts-done",
  "ready",
];

/** Asserts that EXPECTED occur in SEEN in this order (other entries may come between). */
export function assertInOrder(
  seen: string[],
  expected: string[],
  what: string,
) {
  let at = 0;
  for (const item of seen) if (item === expected[at]) at++;
  assert.equal(
    at,
    expected.length,
    `${what}: expected ${JSON.stringify(expected)} in order, saw ${
      JSON.stringify(seen)
    }`,
  );
}

/** The phase labels of `Boot phase: LABEL[: detail]` log lines. */
export function loggedPhases(stderr: string): string[] {
  return [...stderr.matchAll(/msg="Boot phase: ([^":]+)/g)].map((m) => m[1]);
}

/** The `bootPhase` names of the events in instance NAME's `ha.stdout.log`. */
export async function eventPhases(lima: Lima, name: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${lima.dir(name)}/ha.stdout.log`);
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l))
    .filter((e) => e.status.bootPhase)
    .map((e) => e.status.bootPhase.phase);
}

/**
 * Starts the existing instance NAME on a pseudo-terminal, asserting READY and that the phases
 * were drawn on one live line (a carriage return and a cleared line before each).
 */
export async function startOnTerminal(lima: Lima, name: string): Promise<void> {
  const started = performance.now();
  const child = terminalCommand(
    ["start", "--timeout", BOOT_TIMEOUT, name],
    { limaHome: lima.home },
    { stderr: "null", timeoutMs: 8 * 60_000 },
  ).spawn();
  // Nobody types; the input stays open, as script(1) ends the session at its end.
  const out = await child.output();
  await child.stdin.close().catch(() => {});
  const screen = decoder.decode(out.stdout);
  console.log(
    `  limactl start ${name} on a terminal: READY after ${
      seconds(performance.now() - started)
    }`,
  );
  assert.equal(out.code, 0, screen);
  const drawn = [
    ...screen.replaceAll("\r\x1b[K", "<CR>").matchAll(
      /<CR>Booting \[[\d.]+s\] (.+?) \(at /g,
    ),
  ].map((m) => m[1]);
  assertInOrder(drawn, NORMAL_PHASES, "the terminal line");
  assert.doesNotMatch(screen, /INFO\[\d+\] Boot phase:/);
  assert.match(screen, /READY/);
}

/** Runs `start ARGS`, which must fail within BOUND_MS; returns its stderr. */
export async function startStuck(
  lima: Lima,
  what: string,
  args: string[],
  boundMs = STUCK_START_MS,
): Promise<string> {
  const started = performance.now();
  // Far beyond the bound, yet short of Lima's 10 minutes: a missed diagnosis fails soon.
  const r = await lima.run([
    "start",
    "--tty=false",
    "--timeout",
    "3m",
    ...args,
  ]);
  const took = performance.now() - started;
  console.log(`  ${what}: start failed after ${seconds(took)}`);
  assert.equal(r.code, 1, `start exited ${r.code}:\n${r.stderr}`);
  assert.ok(
    took < boundMs,
    `start took ${seconds(took)}, more than ${seconds(boundMs)}`,
  );
  return r.stderr;
}
