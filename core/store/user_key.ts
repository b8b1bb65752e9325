/**
 * Lima's own SSH key pair `_config/user` / `user.pub`, created on first need (Lima's
 * `pkg/sshutil/sshutil.go`).
 */
import { join } from "node:path";
import { LimaError } from "../errors.ts";
import { syncDir } from "./atomic_write.ts";
import { lockInstance } from "./lock.ts";
import { configDir } from "./paths.ts";
import { exists } from "../exists.ts";

export interface UserKey {
  /** Path of the private key (`identityFile`). */
  privateKey: string;
  publicKey: string;
}

/** Lock name for key generation; instance names cannot start with `_`, so it never clashes. */
const KEY_LOCK = "_user-key";

/**
 * Returns the key pair, generating it with `ssh-keygen -t ed25519` when missing. Two
 * commands racing here generate it once; a half-generated pair is never visible because
 * the private key is moved into place last.
 */
export async function ensureUserKey(): Promise<UserKey> {
  const dir = configDir();
  const key: UserKey = {
    privateKey: join(dir, "user"),
    publicKey: join(dir, "user.pub"),
  };
  if (await exists(key.privateKey)) return key;
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await using _lock = await lockInstance(KEY_LOCK);
  if (await exists(key.privateKey)) return key;
  const tmp = join(dir, `.user.${Deno.pid}.tmp`);
  await Deno.remove(tmp).catch(() => {});
  await Deno.remove(`${tmp}.pub`).catch(() => {});
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("ssh-keygen", {
      args: ["-t", "ed25519", "-q", "-N", "", "-C", "lima", "-f", tmp],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    throw new LimaError({
      summary: "failed to run ssh-keygen",
      detail: String(err),
      hint: "install OpenSSH",
    }, {
      cause: err,
    });
  }
  if (!output.success) {
    throw new LimaError({
      summary: `failed to generate the SSH key pair ${key.privateKey}`,
      detail: new TextDecoder().decode(output.stderr).trim() ||
        `ssh-keygen exited with ${output.code}`,
    });
  }
  await Deno.chmod(tmp, 0o600);
  // ssh-keygen's own mode for a public key; Lima leaves it so.
  await Deno.chmod(`${tmp}.pub`, 0o644);
  await Deno.rename(`${tmp}.pub`, key.publicKey);
  await Deno.rename(tmp, key.privateKey);
  await syncDir(dir);
  return key;
}
