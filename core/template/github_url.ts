/**
 * `github:ORG[/REPO][/PATH][@BRANCH]` locators (Lima's `pkg/limatmpl/github.go`), turned into
 * raw-content URLs. Experimental in Lima too.
 */
import { posix } from "node:path";
import { errorMessage, LimaError } from "../errors.ts";
import { quote } from "../quote.ts";

/** Where GitHub answers; tests point both at a local server. */
export interface GitHubEndpoints {
  /** The REST API, for a repository's default branch. */
  api: string;
  /** Raw file contents, `RAW/ORG/REPO/BRANCH/PATH`. */
  raw: string;
}

export const GITHUB: GitHubEndpoints = {
  api: "https://api.github.com",
  raw: "https://raw.githubusercontent.com",
};

const DEFAULT_FILENAME = ".lima.yaml";

/** The parts of a `github:` locator, after the defaults are applied. */
interface Parts {
  org: string;
  repo: string;
  filePath: string;
  /** As written after `@`; "" for the default branch. */
  branch: string;
}

/**
 * The URL a `github:` locator names; INPUT is what follows `github:`. REPO defaults to ORG,
 * PATH to `.lima.yaml` (a trailing `/` too), a file name without extension gets `.yaml`, a
 * missing BRANCH is the repository's default branch. A YAML file whose content is one
 * relative path is followed as a symlink; in an org repository (REPO = ORG) it may instead
 * hold a `github:ORG/…` redirect, returned as the next locator.
 */
export async function transformGitHubURL(
  input: string,
  endpoints: GitHubEndpoints = GITHUB,
): Promise<string> {
  const { org, repo, filePath, branch } = parseGitHubLocator(input);
  const github = new GitHub(endpoints);
  const ref = branch || await github.defaultBranch(org, repo);
  if (![".yaml", ".yml"].includes(goExt(filePath).toLowerCase())) {
    return github.rawURL(org, repo, ref, filePath);
  }
  return await github.resolveSymlink({ org, repo, filePath, branch }, ref);
}

/** Splits INPUT and applies the defaults; refuses `..` that would leave the org or repository. */
export function parseGitHubLocator(input: string): Parts {
  const at = input.indexOf("@");
  const path = at < 0 ? input : input.slice(0, at);
  const branch = at < 0 ? "" : input.slice(at + 1);
  const parts = path.split("/");
  const org = parts[0];
  if (org === "") {
    throw new LimaError({
      summary: `github: URL must contain at least an ORG, got ${quote(path)}`,
    });
  }
  const repo = parts[1] || org;
  const filePath = parts.slice(2).join("/");
  // A `..` collapses on the server and would fetch from another org or repository.
  if (repo === "..") {
    throw escapes(`repo ${quote(repo)} in github: URL ${quote(path)}`, "org");
  }
  if (escapesRepo(filePath)) {
    throw escapes(`path ${quote(filePath)} in github: URL ${quote(path)}`);
  }
  if (escapesRepo(branch)) {
    throw escapes(`branch ${quote(branch)} in github: URL ${quote(path)}`);
  }
  return { org, repo, filePath: withFileName(filePath), branch };
}

function escapes(what: string, from = "repository"): LimaError {
  return new LimaError({ summary: `${what} escapes the ${from}` });
}

/** `.lima.yaml` for no path or a directory; `.yaml` for a file name without extension. */
function withFileName(filePath: string): string {
  if (filePath === "") return DEFAULT_FILENAME;
  const path = filePath.endsWith("/") ? filePath + DEFAULT_FILENAME : filePath;
  // A leading dot marks a hidden file, not an extension.
  return posix.basename(path).slice(1).includes(".") ? path : `${path}.yaml`;
}

/** Whether P, cleaned, climbs above the repository root. */
function escapesRepo(p: string): boolean {
  const clean = goClean(p);
  return clean === ".." || clean.startsWith("../");
}

/** Go's `path.Clean`: normalized, without a trailing slash, "." when empty. */
function goClean(p: string): string {
  const normal = posix.normalize(p);
  return normal.length > 1 && normal.endsWith("/")
    ? normal.slice(0, -1)
    : normal;
}

/** Go's `path.Ext`: from the last dot of the last element (so `.yaml` alone is an extension). */
function goExt(p: string): string {
  const base = p.slice(p.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot < 0 ? "" : base.slice(dot);
}

/** The target of a symlink in FILEPATH's directory; it may not leave the repository. */
function symlinkTarget(filePath: string, target: string): string {
  const resolved = goClean(posix.join(posix.dirname(filePath), target));
  if (escapesRepo(resolved)) {
    throw escapes(
      `symlink target ${quote(target)} in ${quote(filePath)}`,
    );
  }
  return resolved;
}

/** A redirect body's first line, checked: same org, no branch; BRANCH, if any, carried over. */
function validateRedirect(
  body: string,
  org: string,
  branch: string,
  from: string,
): string {
  const redirect = body.split("\n")[0].trim();
  if (!redirect.startsWith(`github:${org}/`)) {
    throw new LimaError({
      summary: `redirect ${
        quote(redirect)
      } is not a \`github:${org}\` URL (from ${quote(from)})`,
    });
  }
  if (redirect.includes("@")) {
    throw new LimaError({
      summary: `redirect ${
        quote(redirect)
      } must not include a branch/tag/sha (from ${quote(from)})`,
    });
  }
  return branch ? `${redirect}@${branch}` : redirect;
}

/** The HTTP side: the default branch from the API, files from raw content. */
class GitHub {
  constructor(readonly endpoints: GitHubEndpoints) {}

  /** The URL of a file; the path is cleaned so the server never resolves `..`. */
  rawURL(org: string, repo: string, branch: string, filePath: string): string {
    return `${this.endpoints.raw}/${org}/${repo}/${branch}/${
      goClean(filePath)
    }`;
  }

  async defaultBranch(org: string, repo: string): Promise<string> {
    try {
      return await this.queryDefaultBranch(org, repo);
    } catch (err) {
      throw new LimaError({
        summary: `failed to get default branch for ${org}/${repo}`,
        detail: errorMessage(err),
      }, { cause: err });
    }
  }

  private async queryDefaultBranch(org: string, repo: string): Promise<string> {
    const headers: Record<string, string> = {
      "User-Agent": "lima",
      Accept: "application/vnd.github.v3+json",
    };
    // A token raises GitHub's rate limit.
    const token = Deno.env.get("GH_TOKEN") || Deno.env.get("GITHUB_TOKEN");
    if (token) headers.Authorization = `token ${token}`;
    let response: Response;
    try {
      response = await fetch(`${this.endpoints.api}/repos/${org}/${repo}`, {
        headers,
      });
    } catch (err) {
      throw new Error(`failed to query GitHub API: ${errorMessage(err)}`);
    }
    const body = await response.text();
    if (response.status !== 200) {
      throw new Error(`GitHub API returned status ${response.status}: ${body}`);
    }
    let branch: unknown;
    try {
      branch = JSON.parse(body)?.default_branch;
    } catch (err) {
      throw new Error(
        `failed to parse GitHub API response: ${errorMessage(err)}`,
      );
    }
    if (typeof branch !== "string" || branch === "") {
      throw new Error(`repository ${org}/${repo} has no default branch`);
    }
    return branch;
  }

  async fetchFile(
    org: string,
    repo: string,
    branch: string,
    filePath: string,
  ): Promise<Response> {
    try {
      return await fetch(this.rawURL(org, repo, branch, filePath), {
        headers: { "User-Agent": "lima" },
      });
    } catch (err) {
      throw new LimaError({
        summary: "failed to fetch file",
        detail: errorMessage(err),
      }, { cause: err });
    }
  }

  /**
   * The URL of PARTS' file on REF, following it when it is a symlink. A file missing from an
   * org repository on a branch or tag is looked for on the default branch, where it must be
   * a redirect; the branch or tag is carried over to the redirect.
   */
  async resolveSymlink(parts: Parts, ref: string): Promise<string> {
    const { org, repo, filePath, branch } = parts;
    const response = await this.fetchFile(org, repo, ref, filePath);
    if (response.status === 404 && repo === org) {
      await response.body?.cancel();
      const fallback = await this.defaultBranch(org, repo).catch(() => "");
      if (fallback) return await this.redirectOn(parts, fallback, ref);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw notFound(response);
    }
    const content = await readHead(response, 1024);
    if (repo === org && content.startsWith("github:")) {
      return validateRedirect(content, org, branch, response.url);
    }
    // A symlink is one line without newline, space or colon.
    const isSymlink = content !== "" && !/[\n :]/.test(content);
    const target = isSymlink ? symlinkTarget(filePath, content) : filePath;
    return this.rawURL(org, repo, ref, target);
  }

  /** The redirect in PARTS' file on the default branch DEFAULTBRANCH, with BRANCH applied. */
  private async redirectOn(
    parts: Parts,
    defaultBranch: string,
    branch: string,
  ): Promise<string> {
    const { org, repo, filePath } = parts;
    const response = await this.fetchFile(org, repo, defaultBranch, filePath);
    if (response.status !== 200) {
      await response.body?.cancel();
      throw notFound(response);
    }
    return validateRedirect(await response.text(), org, branch, response.url);
  }
}

function notFound(response: Response): LimaError {
  return new LimaError({
    summary: `file ${
      quote(response.url)
    } not found or inaccessible: status ${response.status}`,
  });
}

/** The first MAX bytes of RESPONSE's body as text; the rest is not downloaded. */
async function readHead(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, max - size));
      size += Math.min(value.length, max - size);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}
