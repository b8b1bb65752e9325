/** `user`: the guest account's shell, uid and sudo. */
import { posix } from "node:path";
import { quote } from "../../quote.ts";
import type { Check } from "./check.ts";
import { field, list } from "./messages.ts";

const WINDOWS_SHELLS = ["cmd.exe", "powershell.exe", "pwsh.exe"];

export function checkUser(c: Check): void {
  const { y, fail } = c;
  const shell = y.user?.shell;
  if (shell != null) checkShell(c, shell);
  const uid = y.user?.uid;
  if (uid != null && (uid < 0 || uid > 0xffffffff)) {
    fail(
      "user.uid",
      `${field("user.uid")} must be between 0 and 4294967295, got ${uid}`,
    );
  }
  checkPasswordlessSudo(c);
}

/** A Windows guest names one of its shells; other guests an absolute path. */
function checkShell({ os, fail }: Check, shell: string): void {
  if (os === "Windows") {
    const name = shell.slice(
      Math.max(shell.lastIndexOf("/"), shell.lastIndexOf("\\")) + 1,
    ).toLowerCase();
    if (!WINDOWS_SHELLS.includes(name)) {
      fail(
        "user.shell",
        `${field("user.shell")} must be one of ${
          list(WINDOWS_SHELLS)
        } for Windows guest, got ${quote(shell)}`,
      );
    }
  } else if (!posix.isAbsolute(shell)) {
    fail(
      "user.shell",
      `${field("user.shell")} must be an absolute path, got ${quote(shell)}`,
    );
  }
}

function checkPasswordlessSudo(
  { y, os, rules, fail, warn }: Check,
): void {
  const sudo = y.user?.passwordlessSudo;
  if (os === "Darwin" && sudo === true) {
    fail(
      "user.passwordlessSudo",
      "`user.passwordlessSudo: true` is not supported on macOS guests",
    );
  }
  if (rules.requiresPasswordlessSudo && sudo === false) {
    fail(
      "user.passwordlessSudo",
      `\`user.passwordlessSudo: false\` is not supported on ${
        rules.guestLabel ?? y.vmType
      } guest`,
    );
  }
  if (os !== "Darwin" && sudo === false) {
    if (!y.plain) {
      fail(
        "user.passwordlessSudo",
        "`user.passwordlessSudo: false` requires `plain: true`",
      );
    } else warn("`user.passwordlessSudo: false` is experimental");
  }
}
