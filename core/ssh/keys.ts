/**
 * The keys Lima logs in with: its own pair `_config/user` (created on first need) and,
 * with `ssh.loadDotSSHPubKeys`, the user's `~/.ssh/*.pub` pairs.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { ensureUserKey } from "../store/user_key.ts";
import { ifFound } from "../if_found.ts";

export interface KeyOptions {
  /** Also use the pairs in `~/.ssh` (`ssh.loadDotSSHPubKeys`). */
  loadDotSSHPubKeys?: boolean;
  /** The host home directory; default the current user's. */
  home?: string;
}

/** The `~/.ssh/*.pub` files, sorted by name; none when the directory does not exist. */
async function dotSSHPubKeyFiles(home: string): Promise<string[]> {
  const dir = join(home, ".ssh");
  const entries = (await ifFound(Array.fromAsync(Deno.readDir(dir)))) ?? [];
  return entries
    .filter((entry) => entry.name.endsWith(".pub") && !entry.isDirectory)
    .map((entry) => join(dir, entry.name))
    .sort();
}

async function isFile(path: string): Promise<boolean> {
  return (await ifFound(Deno.stat(path)))?.isFile ?? false;
}

/**
 * The private key files to offer, in order: Lima's own key first, then each `~/.ssh/X`
 * whose `X.pub` exists (when enabled). Lima's key is generated when missing.
 */
export async function identityFiles(
  options: KeyOptions = {},
): Promise<string[]> {
  const files = [(await ensureUserKey()).privateKey];
  if (!options.loadDotSSHPubKeys) return files;
  for (const pub of await dotSSHPubKeyFiles(options.home ?? homedir())) {
    const privateKey = pub.slice(0, -".pub".length);
    if (await isFile(privateKey)) files.push(privateKey);
  }
  return files;
}

/**
 * The public keys the guest must accept (one `authorized_keys` line each): Lima's own,
 * then every `~/.ssh/*.pub` (when enabled).
 */
export async function authorizedKeys(
  options: KeyOptions = {},
): Promise<string[]> {
  const files = [(await ensureUserKey()).publicKey];
  if (options.loadDotSSHPubKeys) {
    files.push(...await dotSSHPubKeyFiles(options.home ?? homedir()));
  }
  const keys: string[] = [];
  for (const file of files) {
    const text = (await Deno.readTextFile(file)).trim();
    if (text !== "") keys.push(text);
  }
  return keys;
}
