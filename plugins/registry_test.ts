import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { configureLogger } from "../core/log.ts";
import { failure } from "./_test_utils.ts";
import { DriverRegistry } from "./registry.ts";
import { sha256Hex } from "./installed_drivers.ts";
import { registeredDriverRules } from "./driver_rules.ts";
import "../tests/use_builtin_drivers.ts";
import { runConformance } from "./testkit.ts";
import { startServer } from "../tests/fixtures/http_server.ts";

const example = await Deno.readFile(
  new URL("../tests/fixtures/example-driver/mod.ts", import.meta.url),
);

/** Serves `files` (path → body) on 127.0.0.1 with an OS-chosen port. */
function serve(files: Map<string, Uint8Array<ArrayBuffer>>) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const body = files.get(new URL(req.url).pathname);
      return body === undefined
        ? new Response("not found", { status: 404 })
        : new Response(body);
    },
  );
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    close: () => server.shutdown(),
  };
}

async function withHome(
  fn: (home: string, registry: DriverRegistry) => Promise<void>,
  builtin = {},
) {
  const home = await Deno.makeTempDir({ prefix: "lima-home-" });
  const registry = new DriverRegistry({ builtin, limaHome: home });
  try {
    await fn(home, registry);
  } finally {
    await registry.close();
    await Deno.remove(home, { recursive: true });
  }
}

const manifestSource = (extra: string, body = "") => `
export const manifest = {
  name: "tiny", contractVersion: "1.0", hosts: [{ os: "linux" }], vmTypes: ["tiny"],
  capabilities: { mountTypes: ["reverse-sshfs"], snapshots: false, gui: false, display: false,
    dynamicSSHAddress: false, noCloudInit: false, guestAgentTransport: "ssh", imageFormats: ["raw"] },
  ${extra}
};
export default () => ({ ${body} });
`;

Deno.test("a driver served over HTTP is installed, pinned and passes the conformance suite in a Worker", async (t) => {
  const server = serve(new Map([["/example/mod.ts", example]]));
  try {
    await withHome(async (home, registry) => {
      const url = server.url("/example/mod.ts");
      const { record, manifest, downloaded } = await registry.install(url);
      assert.ok(downloaded);
      assert.equal(manifest.name, "example");
      assert.equal(record.sha256, await sha256Hex(example));
      assert.equal(
        record.file,
        join(home, "_drivers", record.sha256!, "mod.ts"),
      );
      assert.deepEqual(record.permissions, manifest.permissions);
      assert.deepEqual(await registry.list(), [{
        name: "example",
        location: url,
      }]);

      const loaded = await registry.get("example");
      assert.equal(loaded.location, url);
      await runConformance(t, {
        driver: loaded,
        exitTimeout: 10_000,
        root: home,
        async instance(dir) {
          await Deno.writeTextFile(join(dir, "image"), "raw disk");
          return { name: "kit", dir, config: { vmType: "example" } };
        },
      });
      const again = await registry.install(url);
      assert.equal(
        again.downloaded,
        false,
        "a pinned module is downloaded once",
      );
    });
  } finally {
    await server.close();
  }
});

Deno.test("a tampered download is refused and nothing is installed", async () => {
  const tampered: Uint8Array<ArrayBuffer> = new TextEncoder().encode(
    new TextDecoder().decode(example) + "\n// changed\n",
  );
  const files = new Map<string, Uint8Array<ArrayBuffer>>([[
    "/mod.ts",
    tampered,
  ]]);
  const server = serve(files);
  try {
    await withHome(async (home, registry) => {
      const url = server.url("/mod.ts");
      const err = await failure(
        registry.install(url, { sha256: await sha256Hex(example) }),
      );
      assert.match(err.diagnostic.summary, /does not match its pinned sha256/);
      assert.match(
        err.diagnostic.detail!,
        new RegExp(`got ${await sha256Hex(tampered)}`),
      );
      assert.deepEqual(await registry.list(), []);
      await assert.rejects(
        Deno.stat(join(home, "_drivers", await sha256Hex(tampered))),
        Deno.errors.NotFound,
      );

      // Pinned on first install: a later download with other content is refused too.
      files.set("/mod.ts", example);
      const { record } = await registry.install(url);
      files.set("/mod.ts", tampered);
      await Deno.remove(join(home, "_drivers", record.sha256!), {
        recursive: true,
      });
      const again = await failure(registry.install(url));
      assert.match(
        again.diagnostic.summary,
        /does not match its pinned sha256/,
      );
    });
  } finally {
    await server.close();
  }
});

Deno.test("a cached module modified on disk is refused before it is imported", async () => {
  const server = serve(new Map([["/mod.ts", example]]));
  try {
    await withHome(async (_home, registry) => {
      const { record } = await registry.install(server.url("/mod.ts"));
      await Deno.writeTextFile(record.file, "\n// injected\n", {
        append: true,
      });
      const err = await failure(registry.get("example"));
      assert.match(
        err.diagnostic.summary,
        /the cached module of driver `example` was modified/,
      );
    });
  } finally {
    await server.close();
  }
});

Deno.test("a driver asking for more permissions than granted fails clearly", async () => {
  await withHome(async (_home, registry) => {
    const path =
      new URL("../tests/fixtures/example-driver/mod.ts", import.meta.url)
        .pathname;
    await registry.install(path, {
      grant: { read: ["$LIMA_HOME"], write: ["$LIMA_HOME"] },
    });
    const err = await failure(registry.get("example"));
    assert.equal(
      err.diagnostic.summary,
      "driver `example` asks for permissions that were not granted",
    );
    assert.equal(
      err.diagnostic.detail,
      "it asks for run: sleep; granted: read: $LIMA_HOME; write: $LIMA_HOME",
    );
  });
});

Deno.test("a driver using a permission it did not declare gets a diagnostic, not a crash", async () => {
  await withHome(async (home, registry) => {
    const file = join(home, "greedy.ts");
    await Deno.writeTextFile(
      file,
      manifestSource(
        "",
        "configure: () => Promise.resolve({ home: Deno.env.get('HOME') })",
      ),
    );
    await registry.install(file);
    const loaded = await registry.get(file);
    const driver = await loaded.create({ name: "x", dir: home, config: {} });
    const err = await failure(driver.configure());
    assert.equal(
      err.diagnostic.summary,
      "driver `tiny` needs a permission that it did not declare",
    );
    assert.match(err.diagnostic.detail!, /Requires env access to "HOME"/);
  });
});

Deno.test("an incompatible contract version is refused naming both versions", async () => {
  await withHome(async (home, registry) => {
    const file = join(home, "future.ts");
    await Deno.writeTextFile(
      file,
      manifestSource("").replace(
        `contractVersion: "1.0"`,
        `contractVersion: "2.0"`,
      ),
    );
    const err = await failure(registry.install(file));
    assert.equal(
      err.diagnostic.summary,
      'driver `tiny` implements driver contract version "2.0", but this limactl implements version "1.2"',
    );
    assert.deepEqual(await registry.list(), []);
  });
});

Deno.test("listing drivers loads none; unknown vmTypes are reported on `vmType`", async () => {
  let loads = 0;
  const builtin = {
    alpha: () => {
      loads++;
      return import("../tests/fixtures/example-driver/mod.ts");
    },
  };
  await withHome(async (home, registry) => {
    const file = join(home, "tiny.ts");
    await Deno.writeTextFile(file, manifestSource(""));
    await registry.install(file);
    assert.deepEqual(await registry.list(), [{
      name: "alpha",
      location: "internal",
    }, { name: "tiny", location: file }]);
    assert.ok(
      await registry.has("alpha") && await registry.has("tiny") &&
        !(await registry.has("nope")),
    );
    assert.equal(loads, 0);
    const err = await failure(registry.get("nope"));
    assert.deepEqual([err.diagnostic.summary, err.diagnostic.path], [
      'vmType "nope" is not a registered driver',
      "vmType",
    ]);
    await registry.get("alpha");
    assert.equal(loads, 1);
  }, builtin);
});

Deno.test("built-in names are reserved and plain http is only accepted for loopback", async () => {
  await withHome(async (home, registry) => {
    const file = join(home, "tiny.ts");
    await Deno.writeTextFile(file, manifestSource(""));
    const taken = await failure(registry.install(file));
    assert.equal(
      taken.diagnostic.summary,
      "driver name `tiny` is taken by a built-in driver",
    );
    const insecure = await failure(
      registry.install("http://example.com/mod.ts"),
    );
    assert.equal(
      insecure.diagnostic.summary,
      "driver URL `http://example.com/mod.ts` must use https",
    );
  }, { tiny: () => Promise.resolve({}) });
});

Deno.test("a module named in vmType runs only once installed, and is then found by name or location", async () => {
  const server = startServer();
  server.route("/example/mod.ts", { body: example });
  try {
    await withHome(async (home, registry) => {
      const url = server.url("/example/mod.ts");
      const err = await failure(registry.get(url));
      assert.deepEqual(
        [err.diagnostic.summary, err.diagnostic.path, err.diagnostic.hint],
        [
          `vmType "${url}" names a driver that is not installed`,
          "vmType",
          `review and install it with \`limactl driver install ${url}\``,
        ],
      );
      assert.equal(server.count("/example/mod.ts"), 0, "nothing is fetched");
      const local = join(home, "it's here.ts");
      await Deno.writeFile(local, example);
      const byPath = await failure(registry.get(local));
      assert.equal(
        byPath.diagnostic.hint,
        `review and install it with \`limactl driver install '${
          local.replace("'", `'"'"'`)
        }'\``,
      );
      assert.deepEqual(await registry.list(), []);

      await registry.install(url);
      assert.equal((await registry.get(url)).manifest.name, "example");
      assert.equal((await registry.get("example")).location, url);
    });
  } finally {
    await server.close();
  }
});

Deno.test("damaged driver records are ignored with a warning; built-in drivers keep working", async () => {
  await withHome(async (home, registry) => {
    const records = join(home, "_drivers", "drivers.json");
    await Deno.mkdir(join(home, "_drivers"));
    await Deno.writeTextFile(records, '{"drivers": [{"name": "lost"');
    const logged: string[] = [];
    configureLogger({ write: (line) => logged.push(line) });
    try {
      assert.deepEqual(await registry.list(), [{
        name: "alpha",
        location: "internal",
      }]);
      await registry.list();
    } finally {
      configureLogger({ write: (line) => console.error(line) });
    }
    assert.equal(logged.length, 1, "warned once");
    assert.match(logged[0], /Ignoring the damaged driver records/);
    assert.equal((await registry.get("alpha")).manifest.name, "example");
    const path =
      new URL("../tests/fixtures/example-driver/mod.ts", import.meta.url)
        .pathname;
    const err = await failure(registry.install(path));
    assert.equal(err.diagnostic.summary, "the driver records are damaged");
    assert.equal(err.diagnostic.file, records);
    assert.equal(
      await Deno.readTextFile(records),
      '{"drivers": [{"name": "lost"',
      "the damaged file is left for the user to repair",
    );
  }, { alpha: () => import("../tests/fixtures/example-driver/mod.ts") });
});

Deno.test("a module whose top level never returns is stopped with an error naming it", async () => {
  // In a process of its own: Worker.terminate() reports the Worker ended, but a thread stuck in
  // a module's top level goes on spinning until its process exits (it would take a CPU core
  // from every later test in this one).
  const home = await Deno.makeTempDir({ prefix: "lima-home-" });
  try {
    const file = join(home, "spin.ts");
    await Deno.writeTextFile(file, "while (true) {}\n" + manifestSource(""));
    const script = join(home, "install.ts");
    await Deno.writeTextFile(
      script,
      `import { DriverRegistry } from ${
        JSON.stringify(new URL("./registry.ts", import.meta.url).href)
      };
const registry = new DriverRegistry({ builtin: {}, limaHome: ${
        JSON.stringify(home)
      } });
const started = Date.now();
const err = await registry.install(${
        JSON.stringify(file)
      }, { manifestTimeoutMs: 500 }).then(() => undefined, (e) => e);
console.log(JSON.stringify({
  summary: err?.diagnostic?.summary,
  ms: Date.now() - started,
  installed: (await registry.list()).length,
}));
Deno.exit(0);
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        // The project's import map, for the registry's own imports.
        "--config",
        fileURLToPath(new URL("../deno.json", import.meta.url)),
        script,
      ],
      stdin: "null",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const result = JSON.parse(stdout);
    assert.equal(
      result.summary,
      `driver module \`${file}\` did not finish loading within 0.5 s`,
    );
    assert.ok(result.ms < 5_000);
    assert.equal(result.installed, 0);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("driver install stops a slow or oversized download and refuses https downgrades on redirect", async () => {
  const server = startServer();
  server.route("/mod.ts", { body: example });
  server.route("/slow.ts", { body: example, chunkSize: 64, chunkDelayMs: 50 });
  server.route("/elsewhere.ts", { redirect: "http://lima.example/mod.ts" });
  server.route("/hop.ts", { redirect: "/mod.ts" });
  server.route("/loop.ts", { redirect: "/loop.ts" });
  try {
    await withHome(async (home, registry) => {
      const slow = await failure(
        registry.install(server.url("/slow.ts"), {
          fetchLimits: { timeoutMs: 300 },
        }),
      );
      assert.equal(
        slow.diagnostic.detail,
        "no complete answer within 0.3 s",
      );
      const big = await failure(
        registry.install(server.url("/mod.ts"), {
          fetchLimits: { maxBytes: 100 },
        }),
      );
      assert.equal(
        big.diagnostic.detail,
        "the module is larger than 100 bytes, the most accepted",
      );
      const downgrade = await failure(
        registry.install(server.url("/elsewhere.ts")),
      );
      assert.deepEqual(
        [downgrade.diagnostic.summary, downgrade.diagnostic.detail],
        [
          `driver URL \`${server.url("/elsewhere.ts")}\` must use https`,
          "it redirects to `http://lima.example/mod.ts`",
        ],
      );
      const loop = await failure(registry.install(server.url("/loop.ts")));
      assert.equal(loop.diagnostic.detail, "more than 5 redirects");
      assert.deepEqual(await registry.list(), []);
      assert.deepEqual(
        [...Deno.readDirSync(home)].map((e) => e.name),
        [],
        "nothing is written",
      );
      const { record } = await registry.install(server.url("/hop.ts"));
      assert.equal(record.sha256, await sha256Hex(example));
    });
  } finally {
    await server.close();
  }
});

Deno.test("a driver URL without an extension is cached as TypeScript when its redirect or Content-Type says so", async () => {
  const server = startServer();
  server.route("/latest", { redirect: "/v1/mod.ts" });
  server.route("/v1/mod.ts", { body: example });
  server.route("/download/42", {
    body: example,
    contentType: "application/typescript; charset=utf-8",
  });
  try {
    for (const path of ["/latest", "/download/42"]) {
      await withHome(async (home, registry) => {
        const url = server.url(path);
        const { record } = await registry.install(url);
        assert.equal(
          record.file,
          join(home, "_drivers", record.sha256!, "mod.ts"),
        );
        assert.equal((await registry.get(url)).manifest.name, "example");
        const again = await registry.install(url);
        assert.equal(again.downloaded, false, "the cached .ts is found again");
      });
    }
  } finally {
    await server.close();
  }
});

Deno.test("a module that does not load is explained in plain words, naming it", async () => {
  await withHome(async (home, registry) => {
    const helper = join(home, "helper.ts");
    await Deno.writeTextFile(helper, "export const x = 1;\n");
    const cases: [string, string, string, string][] = [
      [
        "imports.ts",
        `import { x } from "./helper.ts";\n${manifestSource(`x`)}`,
        "must be self-contained (a single file)",
        `it imports \`${helper}\``,
      ],
      [
        "remote.ts",
        `import "https://example.com/x.ts";\n${manifestSource("")}`,
        "must be self-contained (a single file)",
        "it imports a module from `example.com:443`",
      ],
      [
        "broken.ts",
        `const x: number = ;\n${manifestSource("")}`,
        "failed to load",
        "SyntaxError: Expression expected (line 1, column 19)",
      ],
      [
        "greedy.ts",
        `Deno.readTextFileSync("/etc/hostname");\n${manifestSource("")}`,
        "needs a permission to load",
        'Requires read access to "/etc/hostname"',
      ],
    ];
    for (const [name, source, summary, detail] of cases) {
      const file = join(home, name);
      await Deno.writeTextFile(file, source);
      const err = await failure(registry.install(file));
      assert.equal(
        err.diagnostic.summary,
        `driver module \`${file}\` ${summary}`,
      );
      assert.equal(err.diagnostic.detail, detail);
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(err.message, /\x1b|run again|file:\/\//);
    }
    assert.deepEqual(await registry.list(), []);
  });
});

Deno.test("vmType finds an installed module however its path is spelled; other specifiers are refused on `vmType`", async () => {
  await withHome(async (home, registry) => {
    const file = join(home, "tiny.ts");
    await Deno.writeTextFile(file, manifestSource(""));
    await registry.install(file);
    const spellings = [
      `${home}//tiny.ts`,
      join(home, "sub") + "/../tiny.ts",
      `file://${file}`,
      relative(Deno.cwd(), file),
    ];
    for (const vmType of spellings) {
      assert.ok(await registry.has(vmType), vmType);
      assert.equal((await registry.get(vmType)).location, file, vmType);
      const rules = await registeredDriverRules(home, vmType);
      assert.ok(vmType in rules, vmType);
    }
    for (const vmType of ["npm:foo", "jsr:@scope/driver"]) {
      for (
        const err of [
          await failure(registry.get(vmType)),
          await failure(registeredDriverRules(home, vmType)),
        ]
      ) {
        assert.equal(
          err.diagnostic.summary,
          `vmType "${vmType}" names a driver that is not installed`,
        );
        assert.equal(err.diagnostic.path, "vmType");
        assert.match(err.diagnostic.hint!, /limactl driver install LOCATION/);
      }
    }
    const install = await failure(registry.install("npm:foo"));
    assert.equal(
      install.diagnostic.summary,
      "driver location `npm:foo` is not supported",
    );
  });
});

Deno.test(
  "driver records that are a FIFO, a device or too large are ignored with a warning, never waited on",
  {
    ignore: Deno.build.os === "windows",
  },
  async () => {
    const damage: [string, (records: string) => Promise<void>, RegExp][] = [
      [
        "a FIFO",
        async (records) => {
          const made = await new Deno.Command("mkfifo", { args: [records] })
            .output();
          assert.ok(made.success);
        },
        /is not a regular file/,
      ],
      [
        "/dev/zero",
        (records) => Deno.symlink("/dev/zero", records),
        /is not a regular file/,
      ],
      [
        "a huge file",
        (records) => Deno.writeFile(records, new Uint8Array(5 * 1024 * 1024)),
        /exceeds the size limit/,
      ],
    ];
    for (const [what, make, reason] of damage) {
      // A home each: a damaged file is reported once per path.
      await withHome(async (home, registry) => {
        const records = join(home, "_drivers", "drivers.json");
        await Deno.mkdir(join(home, "_drivers"));
        await make(records);
        const logged: string[] = [];
        configureLogger({ write: (line) => logged.push(line) });
        try {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const listed = await Promise.race([
            registry.list(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`reading ${what} blocked`)),
                5_000,
              );
            }),
          ]).finally(() => clearTimeout(timer));
          assert.deepEqual(listed, [], what);
          const rules = await registeredDriverRules(home, "qemu");
          assert.ok("qemu" in rules, what);
        } finally {
          configureLogger({ write: (line) => console.error(line) });
        }
        assert.equal(logged.length, 1, what);
        assert.match(logged[0], /Ignoring the damaged driver records/);
        assert.match(logged[0], reason, what);
        const err = await failure(registry.install("/nonexistent/mod.ts"));
        assert.equal(err.diagnostic.summary, "the driver records are damaged");
      });
    }
  },
);

Deno.test(
  "a record whose module file is a device is refused before anything reads it",
  {
    ignore: Deno.build.os === "windows",
  },
  async () => {
    await withHome(async (home, registry) => {
      const file = join(home, "tiny.ts");
      await Deno.writeTextFile(file, manifestSource(""));
      await registry.install(file);
      const records = join(home, "_drivers", "drivers.json");
      const body = JSON.parse(await Deno.readTextFile(records));
      body.drivers[0].file = "/dev/zero";
      body.drivers[0].sha256 = "0".repeat(64);
      await Deno.writeTextFile(records, JSON.stringify(body));
      const err = await failure(registry.get("tiny"));
      assert.equal(
        err.diagnostic.summary,
        "the cached module of driver `tiny` cannot be read",
      );
      assert.equal(err.diagnostic.detail, "not a regular file");
    });
  },
);
