/**
 * For the qemu driver's tests: a real QEMU with its QMP socket at `DIR/qmp.sock`, paused before
 * its firmware runs (`-S`), so QMP commands act on a VM without booting anything.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { exists } from "../../core/exists.ts";

/** Starts QEMU in DIR with EXTRA arguments; disposing kills it. */
export async function startPausedQemu(
  dir: string,
  extra: string[],
): Promise<AsyncDisposable> {
  const x86 = Deno.build.arch === "x86_64";
  const vm = new Deno.Command(`qemu-system-${x86 ? "x86_64" : "aarch64"}`, {
    args: [
      ...["-M", x86 ? "pc" : "virt", "-accel", "tcg", "-m", "64"],
      ...["-nodefaults", "-display", "none", "-S", ...extra],
      ...[
        "-chardev",
        `socket,id=qmp,path=${join(dir, "qmp.sock")},server=on,wait=off`,
      ],
      ...["-qmp", "chardev:qmp", "-pidfile", join(dir, "qemu.pid")],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const dispose = async () => {
    vm.kill("SIGKILL");
    await vm.output();
  };
  try {
    // QEMU may write its pid file before it listens on QMP.
    const ready = async () =>
      await exists(join(dir, "qemu.pid")) &&
      await exists(join(dir, "qmp.sock"));
    for (let i = 0; !(await ready()); i++) {
      assert.ok(i < 100, "QEMU did not start listening on QMP within 10 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  return { [Symbol.asyncDispose]: dispose };
}
