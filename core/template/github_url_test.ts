/**
 * `github:` locators against a fake GitHub (API and raw content on one local server), with
 * the repository layout of Lima's `url-github.bats` (the jandubois/jandubois test repo).
 */
import assert from "node:assert/strict";
import {
  startServer,
  type TestServer,
} from "../../tests/fixtures/http_server.ts";
import { captureLog, withEnv } from "./_test_utils.ts";
import { transformCustomURL } from "./custom_url.ts";
import { readTemplate } from "./locator.ts";
import type { GitHubEndpoints } from "./github_url.ts";

/** jandubois/jandubois, the same on `main` and on the tag `v0.0.0`. */
const ORG_REPO: Record<string, string> = {
  ".lima.yaml": "templates/demo.yaml",
  "back/.lima.yaml": "github:jandubois//loop/",
  "docs/.lima.yaml": "../templates/demo.yaml",
  "example.yaml": "templates/demo.yaml",
  "invalid/org/.lima.yaml": "github:lima-vm",
  "invalid/tag/.lima.yaml": "github:jandubois//@v0.0.0",
  "loop/.lima.yaml": "github:jandubois//back/",
  "redirect/.lima.yaml": "github:jandubois/lima/templates/default",
  "templates/demo.yaml": "base: template:default",
  // A newline, so no symlink.
  "yaml/.lima.yaml": "{}\n",
  "escape/.lima.yaml": "../../other/x.yaml",
};

/** A fake GitHub: default branches by repository, files by `org/repo/branch/path`. */
function fakeGitHub(): { server: TestServer; endpoints: GitHubEndpoints } {
  const server = startServer();
  const text = (s: string) => ({ body: new TextEncoder().encode(s) });
  const branches = {
    "jandubois/jandubois": "main",
    "jandubois/lima": "master",
    "other/repo": "trunk",
  };
  for (const [repo, branch] of Object.entries(branches)) {
    server.route(
      `/api/repos/${repo}`,
      text(JSON.stringify({ default_branch: branch })),
    );
  }
  for (const ref of ["main", "v0.0.0"]) {
    for (const [path, content] of Object.entries(ORG_REPO)) {
      server.route(`/raw/jandubois/jandubois/${ref}/${path}`, text(content));
    }
  }
  for (const ref of ["master", "v1.2.1"]) {
    server.route(
      `/raw/jandubois/lima/${ref}/templates/default.yaml`,
      text("images: []\n"),
    );
  }
  server.route("/raw/other/repo/trunk/x.yaml", text("cpus: 2\n"));
  return {
    server,
    endpoints: { api: server.url("/api"), raw: server.url("/raw") },
  };
}

async function withGitHub(
  fn: (
    resolve: (locator: string) => Promise<string>,
    server: TestServer,
  ) => Promise<void>,
): Promise<void> {
  const { server, endpoints } = fakeGitHub();
  try {
    await withEnv({ GH_TOKEN: undefined, GITHUB_TOKEN: undefined }, () =>
      fn(
        async (locator) =>
          (await captureLog(() =>
            transformCustomURL(locator, { github: endpoints })
          ))
            .result,
        server,
      ));
  } finally {
    await server.close();
  }
}

/** From Lima's url-github.bats: each resolves to templates/demo.yaml on main or v0.0.0. */
const DEMO_LOCATORS = [
  "github:jandubois/jandubois/templates/demo.yaml@main",
  "github:jandubois/jandubois/templates/demo.yaml",
  "github:jandubois/jandubois/templates/demo",
  "github:jandubois/jandubois/.lima.yaml",
  "github:jandubois/jandubois/@v0.0.0",
  "github:jandubois/jandubois",
  "github:jandubois//templates/demo.yaml@main",
  "github:jandubois//templates/demo",
  "github:jandubois//.lima.yaml",
  "github:jandubois//@v0.0.0",
  "github:jandubois//",
  "github:jandubois/",
  "github:jandubois@v0.0.0",
  "github:jandubois",
  "github:jandubois/jandubois/example.yaml",
  "github:jandubois/jandubois/example@main",
  "github:jandubois//example.yaml@v0.0.0",
  "github:jandubois/jandubois/docs/.lima.yaml",
  "github:jandubois/jandubois/docs/.lima",
  "github:jandubois/jandubois/docs/",
  "github:jandubois//docs/@v0.0.0",
];

Deno.test("github: defaults the repo, the file name, .yaml and the branch, and follows symlinks", async () => {
  await withGitHub(async (resolve, server) => {
    for (const locator of DEMO_LOCATORS) {
      const tag = locator.includes("v0.0.0") ? "v0.0.0" : "main";
      assert.equal(
        await resolve(locator),
        server.url(`/raw/jandubois/jandubois/${tag}/templates/demo.yaml`),
        locator,
      );
    }
  });
});

Deno.test("github: asks the API for the default branch only when no @BRANCH is given", async () => {
  await withGitHub(async (resolve, server) => {
    await resolve("github:jandubois//templates/demo@main");
    assert.equal(server.count("/api/repos/jandubois/jandubois"), 0);
    await resolve("github:jandubois//templates/demo");
    assert.equal(server.count("/api/repos/jandubois/jandubois"), 1);
    const api = server.requests.find((r) => r.path.startsWith("/api/"))!;
    assert.equal(api.headers.get("accept"), "application/vnd.github.v3+json");
    assert.equal(api.headers.get("user-agent"), "lima");
    assert.equal(api.headers.get("authorization"), null);
  });
});

Deno.test("github: sends GH_TOKEN, else GITHUB_TOKEN, to the API", async () => {
  await withGitHub(async (resolve, server) => {
    const auth = () =>
      server.requests.filter((r) => r.path.startsWith("/api/")).at(-1)!
        .headers.get("authorization");
    await withEnv(
      { GITHUB_TOKEN: "gh-fallback" },
      () => resolve("github:jandubois"),
    );
    assert.equal(auth(), "token gh-fallback");
    await withEnv(
      { GH_TOKEN: "gh-first", GITHUB_TOKEN: "gh-fallback" },
      () => resolve("github:jandubois"),
    );
    assert.equal(auth(), "token gh-first");
  });
});

Deno.test("github: keeps a .lima.yaml that is no symlink and files that are not YAML", async () => {
  await withGitHub(async (resolve, server) => {
    assert.equal(
      await resolve("github:jandubois//yaml/"),
      server.url("/raw/jandubois/jandubois/main/yaml/.lima.yaml"),
    );
    const before = server.requests.length;
    assert.equal(
      await resolve("github:jandubois//test/.script.sh@main"),
      server.url("/raw/jandubois/jandubois/main/test/.script.sh"),
    );
    assert.equal(server.requests.length, before, "only YAML files are fetched");
  });
});

Deno.test("github: a missing file fails with its URL and status; hidden files get .yaml", async () => {
  await withGitHub(async (resolve, server) => {
    await assert.rejects(
      resolve("github:jandubois//missing/"),
      {
        message: `file \`${
          server.url("/raw/jandubois/jandubois/main/missing/.lima.yaml")
        }\` not found or inaccessible: status 404`,
      },
    );
    await assert.rejects(
      resolve("github:jandubois//test/.hidden"),
      {
        message: `file \`${
          server.url("/raw/jandubois/jandubois/main/test/.hidden.yaml")
        }\` not found or inaccessible: status 404`,
      },
    );
  });
});

Deno.test("github: warns that the scheme is EXPERIMENTAL", async () => {
  const { server, endpoints } = fakeGitHub();
  try {
    const { lines } = await captureLog(() =>
      transformCustomURL("github:jandubois@main", { github: endpoints })
    );
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(
      lines[0],
      /level=warning msg="The github: scheme is still EXPERIMENTAL"/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("github: without an ORG is refused", async () => {
  await withGitHub(async (resolve) => {
    for (const locator of ["github:", "github:/jandubois", "github:@main"]) {
      await assert.rejects(resolve(locator), {
        message: "github: URL must contain at least an ORG, got ``",
      }, locator);
    }
  });
});

Deno.test("github: refuses .. that leaves the org or the repository", async () => {
  await withGitHub(async (resolve) => {
    await assert.rejects(resolve("github:jandubois/.."), {
      message: "repo `..` in github: URL `jandubois/..` escapes the org",
    });
    await assert.rejects(resolve("github:jandubois/repo/../../x"), {
      message:
        "path `../../x` in github: URL `jandubois/repo/../../x` escapes the repository",
    });
    await assert.rejects(resolve("github:jandubois/repo/x@../main"), {
      message:
        "branch `../main` in github: URL `jandubois/repo/x` escapes the repository",
    });
    await assert.rejects(resolve("github:jandubois//escape/"), {
      message:
        "symlink target `../../other/x.yaml` in `escape/.lima.yaml` escapes the repository",
    });
  });
});

Deno.test("github: org repos redirect within the org, carrying an explicit tag along", async () => {
  await withGitHub(async (resolve, server) => {
    const { lines, result } = await captureLog(() =>
      transformCustomURL("github:jandubois//redirect/", {
        github: { api: server.url("/api"), raw: server.url("/raw") },
      })
    );
    assert.equal(
      result,
      server.url("/raw/jandubois/lima/master/templates/default.yaml"),
    );
    assert.equal(lines.length, 1, "debug lines are not logged at info level");
    // The tag is missing from the org repo: the redirect comes from its default branch.
    assert.equal(
      await resolve("github:jandubois//redirect/@v1.2.1"),
      server.url("/raw/jandubois/lima/v1.2.1/templates/default.yaml"),
    );
  });
});

Deno.test("github: org redirects may not leave the org, name a branch or loop", async () => {
  await withGitHub(async (resolve, server) => {
    for (const suffix of ["", "@main"]) {
      await assert.rejects(resolve(`github:jandubois//invalid/org/${suffix}`), {
        message:
          `redirect \`github:lima-vm\` is not a \`github:jandubois\` URL (from \`${
            server.url(`/raw/jandubois/jandubois/main/invalid/org/.lima.yaml`)
          }\`)`,
      });
    }
    await assert.rejects(resolve("github:jandubois//invalid/tag/"), {
      message:
        `redirect \`github:jandubois//@v0.0.0\` must not include a branch/tag/sha (from \`${
          server.url("/raw/jandubois/jandubois/main/invalid/tag/.lima.yaml")
        }\`)`,
    });
    await assert.rejects(resolve("github:jandubois//loop/"), {
      message: "custom locator `github:jandubois//loop/` has a redirect loop",
    });
    await assert.rejects(resolve("github:jandubois//back/@main"), {
      message:
        "custom locator `github:jandubois//back/@main` has a redirect loop",
    });
  });
});

Deno.test("github: a failing API names the repository and the answer", async () => {
  await withGitHub(async (resolve) => {
    await assert.rejects(resolve("github:nobody/nothing"), {
      message:
        "failed to get default branch for nobody/nothing: GitHub API returned status 404: not found\n",
    });
  });
});

Deno.test("a github: template is read from the resolved URL and keeps its locator as written", async () => {
  const { server, endpoints } = fakeGitHub();
  try {
    const { result } = await captureLog(() =>
      readTemplate("github:jandubois//example@main", { github: endpoints })
    );
    assert.deepEqual(result, {
      name: "demo",
      locator: "github:jandubois//example@main",
      text: "base: template:default",
    });
  } finally {
    await server.close();
  }
});
