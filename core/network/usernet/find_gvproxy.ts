/**
 * Finding gvproxy, the gvisor-tap-vsock network stack user-v2 networks run on: PATH first, then
 * the helper directories where distributions' podman packages and Homebrew install it.
 */
import { LimaError } from "../../errors.ts";
import { quote } from "../../quote.ts";
import { joinPath } from "../../store/paths.ts";
import { isExecutableFile } from "../../look_path.ts";

/**
 * Where podman keeps gvproxy (`helper_binaries_dir` in containers.conf): Linux distributions'
 * packages, then Homebrew's podman (Apple silicon, Intel) and podman's macOS installer.
 */
export const GVPROXY_HELPER_DIRS = [
  "/usr/libexec/podman",
  "/usr/lib/podman",
  "/usr/local/libexec/podman",
  "/usr/local/lib/podman",
  "/opt/homebrew/opt/podman/libexec/podman",
  "/usr/local/opt/podman/libexec/podman",
  "/opt/podman/bin",
];

/** The gvproxy executable, or undefined when there is none. */
export function findGvproxy(
  env: { PATH?: string } = { PATH: Deno.env.get("PATH") },
  helperDirs: string[] = GVPROXY_HELPER_DIRS,
): string | undefined {
  const dirs = [...(env.PATH ?? "").split(":").filter(Boolean), ...helperDirs];
  for (const dir of dirs) {
    const candidate = joinPath(dir, "gvproxy");
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** The error for a user-v2 network NAME on a host without gvproxy. */
export function gvproxyMissing(name: string): LimaError {
  return new LimaError({
    summary: `network ${
      quote(name)
    } (mode user-v2) needs gvproxy, which was not found`,
    detail: `searched PATH and ${GVPROXY_HELPER_DIRS.join(", ")}`,
    hint: Deno.build.os === "darwin"
      ? "install it with `brew install podman` (its gvproxy) or `go install github.com/containers/gvisor-tap-vsock/cmd/gvproxy@v0.8.9`"
      : "install your distribution's podman (its gvproxy, e.g. Debian's `gvproxy` package) or run `go install github.com/containers/gvisor-tap-vsock/cmd/gvproxy@v0.8.9` and put it on PATH",
  });
}
