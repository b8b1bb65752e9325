/**
 * CLI plugins (`limactl-NAME` on PATH) and `limactl-url-SCHEME` template locators, as a user
 * runs them: each test writes its plugins into a directory put first on PATH.
 */
import assert from "node:assert/strict";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  assertFatal,
  limactl,
  limactlExpect,
  lines,
  type RunOptions,
  tempLimaHome,
} from "./helpers.ts";

const CHECKOUT = fileURLToPath(new URL("../..", import.meta.url)).replace(
  /\/$/,
  "",
);

/** A LIMA_HOME and a PATH whose first directory holds PLUGINS (name → shell script body). */
async function withPlugins(
  plugins: Record<string, string>,
): Promise<RunOptions & { bin: string }> {
  const limaHome = await tempLimaHome();
  const bin = join(limaHome, "bin");
  await Deno.mkdir(bin);
  for (const [name, body] of Object.entries(plugins)) {
    const path = join(bin, `limactl-${name}`);
    await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
    await Deno.chmod(path, 0o755);
  }
  const env = { PATH: `${bin}${delimiter}${Deno.env.get("PATH")}` };
  return { limaHome, env, bin };
}

const ECHO = `# <limactl-desc>Echoes its arguments</limactl-desc>
for arg in "$@"; do echo "arg: $arg"; done
read -r line && echo "stdin: $line"
echo "PATH: $PATH"
echo "to stderr" >&2
exit "\${EXIT_CODE:-0}"`;

Deno.test("limactl NAME runs limactl-NAME with the arguments after NAME, stdio and the exit code", async () => {
  const options = await withPlugins({ echo: ECHO });
  const result = await limactl(
    ["--debug", "echo", "--help", "-x", "two words", "--debug"],
    { ...options, stdin: "hello\n", env: { ...options.env, EXIT_CODE: "7" } },
  );
  assert.equal(result.code, 7, result.stderr);
  const out = lines(result.stdout);
  assert.deepEqual(out.slice(0, 5), [
    "arg: --help",
    "arg: -x",
    "arg: two words",
    "arg: --debug",
    "stdin: hello",
  ]);
  assert.match(result.stderr, /to stderr/);
  assert.doesNotMatch(
    result.stderr,
    /level=fatal/,
    "the exit code is passed through silently",
  );
  // Lima's plugin PATH: beside limactl (under deno run, the checkout), then PATH.
  const path = out[5].replace(/^PATH: /, "").split(delimiter);
  assert.deepEqual(path.slice(0, 2), [CHECKOUT, options.bin]);
  await limactlExpect(0, ["echo"], options);
});

Deno.test("built-in commands win over plugins, and an unknown command without a plugin still fails", async () => {
  const options = await withPlugins({
    echo: ECHO,
    info: 'echo "plugin info"; exit 3',
  });
  const info = await limactlExpect(0, ["info", "--yq", ".vmTypes[0]"], options);
  assert.doesNotMatch(info.stdout, /plugin info/);
  assert.match(
    (await limactlExpect(0, ["echo", "x"], options)).stdout,
    /arg: x/,
  );
  const { stderr } = await limactlExpect(1, ["nosuch"], options);
  assertFatal(stderr, 'unknown command "nosuch" for "limactl"…');
});

Deno.test("help lists plugins with their descriptions, hiding url- plugins", async () => {
  const options = await withPlugins({
    echo: ECHO,
    bare: "exit 0",
    "url-dev": "echo x",
  });
  const { stdout } = await limactlExpect(0, ["--help"], options);
  const help = lines(stdout);
  const at = help.indexOf("Available Plugins (Experimental):");
  assert.ok(at > 0, stdout);
  assert.match(help[at + 1], /^ {2}bare\s*$/);
  assert.match(help[at + 2], /^ {2}echo\s+Echoes its arguments$/);
  assert.ok(
    help.indexOf("Advanced Commands:") < at,
    "after the built-in groups",
  );
  assert.doesNotMatch(stdout, /url-dev/);
});

Deno.test("info reports the plugins with name, path and description", async () => {
  const options = await withPlugins({ echo: ECHO, "url-dev": "echo x" });
  const { stdout } = await limactlExpect(0, ["info"], options);
  const plugins = JSON.parse(stdout).plugins;
  assert.deepEqual(
    plugins.filter((p: { path: string }) => p.path.startsWith(options.bin)),
    [
      {
        name: "echo",
        path: join(options.bin, "limactl-echo"),
        description: "Echoes its arguments",
      },
      { name: "url-dev", path: join(options.bin, "limactl-url-dev") },
    ],
  );
});

Deno.test("info reports plugins as null when there are none, as Lima's JSON does", async () => {
  const options = await withPlugins({});
  const { stdout } = await limactlExpect(0, ["info"], {
    ...options,
    env: { PATH: options.bin },
  });
  assert.equal(JSON.parse(stdout).plugins, null);
});

const URL_PLUGINS = {
  // Prints its argument padded with spaces: the locator is trimmed.
  "url-dev": 'echo "  https://templates.example/$1.yaml  "',
  "url-chain": 'echo "dev:$1"',
  "url-ping": 'echo "pong:$1"',
  "url-pong": 'echo "ping:$1"',
  "url-bad": 'echo "no such template: $1" >&2; exit 3',
  "url-local": 'echo "$LIMA_HOME/templates/$1.yaml"',
};

Deno.test("template url turns a custom locator into the URL its url- plugin prints, until stable", async () => {
  const options = await withPlugins(URL_PLUGINS);
  for (const locator of ["dev:web/app", "chain:web/app", "DEV:web/app"]) {
    const { stdout } = await limactlExpect(
      0,
      ["template", "url", locator],
      options,
    );
    assert.equal(stdout, "https://templates.example/web/app.yaml\n", locator);
  }
  const debug = await limactlExpect(0, [
    "--debug",
    "template",
    "url",
    "chain:web/app",
  ], options);
  assert.ok(
    debug.stderr.includes(
      'level=debug msg="Locator `chain:web/app` replaced with `dev:web/app`"',
    ),
    debug.stderr,
  );
  const plain = await limactlExpect(
    0,
    ["template", "url", "https://x/y.yaml"],
    options,
  );
  assert.equal(plain.stdout, "https://x/y.yaml\n");
});

Deno.test("template url reports a redirect loop and a failing plugin's stderr", async () => {
  const options = await withPlugins(URL_PLUGINS);
  const loop = await limactlExpect(1, ["template", "url", "ping:x"], options);
  assertFatal(loop.stderr, "custom locator `ping:x` has a redirect loop");
  const bad = await limactlExpect(1, ["template", "url", "bad:web"], options);
  assertFatal(
    bad.stderr,
    `command \`${
      join(options.bin, "limactl-url-bad")
    } web\` failed: no such template: web`,
  );
  const github = await limactlExpect(
    1,
    ["template", "url", "github:"],
    options,
  );
  assertFatal(
    github.stderr,
    "github: URL must contain at least an ORG, got ``",
  );
});

Deno.test("create and template copy accept a locator a url- plugin resolves to a file", async () => {
  const options = await withPlugins(URL_PLUGINS);
  await Deno.mkdir(join(options.limaHome, "templates"));
  await Deno.writeTextFile(
    join(options.limaHome, "templates", "tiny.yaml"),
    "images: [{location: /etc/profile}]\ncpus: 3\n",
  );
  const copy = await limactlExpect(
    0,
    ["template", "copy", "local:tiny", "-"],
    options,
  );
  assert.match(copy.stdout, /cpus: 3/);
  await limactlExpect(0, ["create", "local:tiny"], options);
  const yaml = await Deno.readTextFile(
    join(options.limaHome, "tiny", "lima.yaml"),
  );
  assert.match(yaml, /cpus: 3/);
});
