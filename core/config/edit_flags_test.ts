import { Command } from "@commander-js/extra-typings";
import {
  deepStrictEqual,
  match,
  ok,
  strictEqual,
  throws,
} from "node:assert/strict";
import { LimaError } from "../errors.ts";
import { configureLogger } from "../log.ts";
import { applyYq } from "../yq/mod.ts";
import { addEditFlags } from "../../cli/edit_flags.ts";
import {
  editFlagExpressions,
  type EditFlags,
  formatFloat32,
  parsePortForward,
} from "./edit_flags.ts";

/** Runs FN and returns what it logged, one message per entry. */
function captureWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
  const warnings: string[] = [];
  configureLogger({
    level: "info",
    format: "json",
    write: (line) => warnings.push(JSON.parse(line).msg),
  });
  try {
    return { result: fn(), warnings };
  } finally {
    configureLogger({
      format: "text",
      write: (line) =>
        Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
  }
}

function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    ok(err instanceof LimaError, `expected a LimaError, got ${err}`);
    return err.message;
  }
  throw new Error("expected an error");
}

const expressions = (
  flags: EditFlags,
  isNew = true,
  declaredParams: string[] = [],
) =>
  captureWarnings(() => editFlagExpressions(flags, { isNew, declaredParams }))
    .result;

Deno.test("editFlagExpressions: no flags, no expressions", () => {
  deepStrictEqual(expressions({}), []);
});

Deno.test("editFlagExpressions: one expression per flag, in Lima's order", () => {
  const home = Deno.env.get("HOME")!;
  const all: EditFlags = {
    shell: "/bin/zsh",
    portForward: ["8080:80"],
    plain: true,
    disk: 50,
    containerd: "user",
    arch: "aarch64",
    archVariant: "v3",
    imageVariant: "minimal",
    sshPort: 2222,
    audioInterface: "virtio",
    audioDevice: "pa",
    video: true,
    param: ["release=v1"],
    set: [".foo = 1", ".bar = 2"],
    rosetta: true,
    nestedVirt: true,
    network: ["vzNAT"],
    mountWritable: true,
    mountInotify: true,
    vmType: "vz",
    mountType: "9p",
    mount: ["~/src:w"],
    memory: 2,
    dns: ["1.1.1.1"],
    cpus: 2,
  };
  deepStrictEqual(expressions(all, true, ["release"]), [
    ".cpus = 2",
    '.dns += ["1.1.1.1"] | .dns |= unique | .hostResolver.enabled=false',
    '.memory = "2GiB"',
    `.mounts = [{"location": "${home}/src", "mountPoint": "${home}/src", "writable": true}] + .mounts`,
    '.mountType = "9p"',
    '.vmType = "vz"',
    ".mountInotify = true",
    ".mounts[].writable = true",
    '.networks += [{"vzNAT": true}] | .networks |= unique_by(.lima)',
    ".nestedVirtualization = true",
    ".vmOpts.vz.rosetta.enabled = true | .vmOpts.vz.rosetta.binfmt = true",
    ".foo = 1",
    ".bar = 2",
    '.param["release"] = "v1"',
    '.video.display = "default"',
    '.audio.device = "pa"',
    '.audio.interface = "virtio"',
    ".ssh.localPort = 2222",
    '.images = [.images[] | select(.variant == "minimal")]',
    '.images = [.images[] | select(.archVariant == "v3")]',
    '.arch = "aarch64"',
    ".containerd.user = true | .containerd.system = false",
    '.disk= "50GiB"',
    ".plain = true",
    '.portForwards += [{"guestPort": 80, "hostPort": 8080, "static": false}]',
    '.user.shell = "/bin/zsh"',
  ]);
});

Deno.test("editFlagExpressions: boolean flags given as false produce their false forms", () => {
  deepStrictEqual(
    expressions({
      video: false,
      rosetta: false,
      mountWritable: false,
      plain: false,
    }),
    [
      ".mounts[].writable = false",
      ".vmOpts.vz.rosetta.enabled = false | .vmOpts.vz.rosetta.binfmt = false",
      '.video.display = "none"',
      ".plain = false",
    ],
  );
  deepStrictEqual(expressions({ mountNone: true }), [".mounts = null"]);
});

Deno.test("editFlagExpressions: sizes are written like Go formats a float32", () => {
  deepStrictEqual(expressions({ memory: 0.5, disk: 100 }), [
    '.memory = "0.5GiB"',
    '.disk= "100GiB"',
  ]);
  deepStrictEqual(expressions({ memory: 1.1 }), ['.memory = "1.1GiB"']);
  strictEqual(formatFloat32(2), "2");
  strictEqual(formatFloat32(2.5), "2.5");
  strictEqual(formatFloat32(0.1), "0.1");
  strictEqual(formatFloat32(1000000), "1e+06");
  strictEqual(formatFloat32(0.00001), "1e-05");
  strictEqual(formatFloat32(123456), "123456");
});

Deno.test("editFlagExpressions: --mount expands ~, makes paths absolute and keeps flag order", () => {
  const home = Deno.env.get("HOME")!;
  const [expr] = expressions({ mount: ["~", "rel/dir", "/abs/./x/../y:w"] });
  strictEqual(
    expr,
    `.mounts = [{"location": "/abs/y", "mountPoint": "/abs/y", "writable": true},` +
      `{"location": "${Deno.cwd()}/rel/dir", "mountPoint": "${Deno.cwd()}/rel/dir", "writable": false},` +
      `{"location": "${home}", "mountPoint": "${home}", "writable": false}] + .mounts`,
  );
  deepStrictEqual(expressions({ mountOnly: ["/a:w"] }), [
    '.mounts = [{"location": "/a", "mountPoint": "/a", "writable": true}]',
  ]);
  strictEqual(
    errorMessage(() => expressions({ mount: ["~other/x"] })),
    "error while processing flag `mount`: unexpandable path `~other/x`",
  );
});

Deno.test("editFlagExpressions: conflicting mount flags are rejected", () => {
  strictEqual(
    errorMessage(() => expressions({ mount: ["/a"], mountOnly: ["/b"] })),
    "error while processing flag `mount`: flag `--mount` conflicts with `--mount-only`",
  );
  strictEqual(
    errorMessage(() => expressions({ mountOnly: ["/b"], mountNone: true })),
    "error while processing flag `mount-none`: flag `--mount-none` conflicts with `mount-only`",
  );
});

Deno.test("editFlagExpressions: invalid values fail with Lima's messages", () => {
  strictEqual(
    errorMessage(() => expressions({ cpus: -1 })),
    "error while processing flag `cpus`: invalid value for number of cpus, must be >= 0",
  );
  strictEqual(
    errorMessage(() => expressions({ network: ["lima:shared", "bridged"] })),
    "error while processing flag `network`: network name must be `vzNAT` or `lima:*`, got `bridged`",
  );
  strictEqual(
    errorMessage(() => expressions({ containerd: "both" })),
    "error while processing flag `containerd`: expected one of [`user`, `system`, `user+system`, `none`], got `both`",
  );
  match(
    errorMessage(() => expressions({ arch: "i386" })),
    /^error while processing flag `arch`: .*`x86_64`.*got `i386`$/,
  );
  strictEqual(
    errorMessage(() => expressions({ imageVariant: "" })),
    "error while processing flag `image-variant`: `--image-variant` must not be empty",
  );
  strictEqual(
    errorMessage(() => expressions({ archVariant: "" })),
    "error while processing flag `arch-variant`: `--arch-variant` must not be empty",
  );
  strictEqual(
    errorMessage(() => expressions({ dns: ["1.1.1.1", "not-an-ip"] })),
    "error while processing flag `dns`: invalid string being converted to IP address: not-an-ip",
  );
  match(
    errorMessage(() => expressions({ sshPort: 70000 })),
    /^error while processing flag `ssh-port`: /,
  );
});

Deno.test("editFlagExpressions: --param only sets parameters the template declares", () => {
  deepStrictEqual(
    expressions({ param: ["release=v1.35", "empty="] }, true, [
      "release",
      "empty",
    ]),
    [
      '.param["release"] = "v1.35"',
      '.param["empty"] = ""',
    ],
  );
  strictEqual(
    errorMessage(() =>
      expressions({ param: ["missing=1"] }, true, ["release"])
    ),
    "error while processing flag `param`: template does not define param `missing`",
  );
  strictEqual(
    errorMessage(() =>
      expressions({ param: ["noequals"] }, true, ["noequals"])
    ),
    "error while processing flag `param`: invalid parameter `noequals`, expected NAME=VALUE",
  );
});

Deno.test("editFlagExpressions: --port-forward syntax", () => {
  deepStrictEqual(parsePortForward("8080:80"), {
    hostPort: 8080,
    guestPort: 80,
    isStatic: false,
  });
  deepStrictEqual(parsePortForward(" 9090:9090 , static=true"), {
    hostPort: 9090,
    guestPort: 9090,
    isStatic: true,
  });
  deepStrictEqual(expressions({ portForward: ["1:2", "3:4,static=1"] }), [
    '.portForwards += [{"guestPort": 2, "hostPort": 1, "static": false},{"guestPort": 4, "hostPort": 3, "static": true}]',
  ]);
  strictEqual(
    errorMessage(() => expressions({ portForward: ["8080"] })),
    "error while processing flag `port-forward`: invalid port forward format `8080`, expected HOST:GUEST",
  );
  strictEqual(
    errorMessage(() => expressions({ portForward: ["1:2,static=maybe"] })),
    "error while processing flag `port-forward`: invalid value for static parameter: `maybe`",
  );
  strictEqual(
    errorMessage(() => expressions({ portForward: ["1:2,foo=1"] })),
    "error while processing flag `port-forward`: invalid parameter `foo=1`, expected `static=` followed by a boolean value",
  );
  strictEqual(
    errorMessage(() => expressions({ portForward: ["abc:80"] })),
    "error while processing flag `port-forward`: invalid host port `abc` in `abc:80`, expected an integer from 0 to 65535",
  );
  strictEqual(
    errorMessage(() => expressions({ portForward: ["8080:70000"] })),
    "error while processing flag `port-forward`: invalid guest port `70000` in `8080:70000`, expected an integer from 0 to 65535",
  );
  match(
    errorMessage(() => expressions({ portForward: ["1:2,a,b"] })),
    /expected HOST:GUEST or HOST:GUEST,static=true/,
  );
});

Deno.test("editFlagExpressions: new-only flags are skipped for existing instances, with a hint", () => {
  const { result, warnings } = captureWarnings(() =>
    editFlagExpressions({
      cpus: 1,
      arch: "x86_64",
      plain: true,
      containerd: "none",
    }, { isNew: false })
  );
  deepStrictEqual(result, [".cpus = 1"]);
  deepStrictEqual(warnings, [
    "`--arch` is not applicable to an existing instance (Hint: create a new instance with `limactl create --arch=x86_64 --name=NAME`)",
    "`--containerd` is not applicable to an existing instance (Hint: create a new instance with `limactl create --containerd=none --name=NAME`)",
    "`--plain` is not applicable to an existing instance (Hint: create a new instance with `limactl create --plain=true --name=NAME`)",
  ]);
});

Deno.test("editFlagExpressions: warnings for experimental flags and custom DNS", () => {
  const { warnings } = captureWarnings(() =>
    editFlagExpressions({
      dns: ["8.8.8.8", "2001:DB8:0:0::1"],
      mountInotify: true,
    }, { isNew: true })
  );
  deepStrictEqual(warnings, [
    "Disabling HostResolver, as custom DNS addresses ([8.8.8.8 2001:db8::1]) are specified",
    "`--mount-inotify` is experimental",
  ]);
});

Deno.test("edit flag expressions applied to a commented template keep its comments", () => {
  const template = `# Instance settings.
cpus: null # how many

images:
# Preferred image.
- location: https://example.com/a.img
  arch: x86_64
  variant: generic
- location: https://example.com/b.img
  arch: x86_64
  variant: nocloud

mounts:
- location: "~"

param:
  release: v1
`;
  const exprs = expressions(
    {
      cpus: 4,
      memory: 8,
      imageVariant: "nocloud",
      mountWritable: true,
      param: ["release=v2"],
      set: [".extra = true"],
    },
    true,
    ["release"],
  );
  strictEqual(
    applyYq(template, exprs.join(" | ")),
    `# Instance settings.
cpus: 4  # how many

images:
# Preferred image.
- location: https://example.com/b.img
  arch: x86_64
  variant: nocloud

mounts:
- location: "~"
  writable: true

param:
  release: v2
memory: 8GiB
extra: true
`,
  );
});

Deno.test("addEditFlags: parses Lima's flag syntax into EditFlags", () => {
  const command = addEditFlags(new Command("create").exitOverride());
  command.parse([
    "--cpus",
    "4",
    "--memory=2.5",
    "--mount",
    "/a,/b:w",
    "--mount",
    "/c",
    "--set",
    ".a = 1",
    "--set",
    ".b = 2, .c = 3",
    "--param",
    "k=v",
    "--network",
    "lima:shared,vzNAT",
    "--video",
    "--arch",
    "aarch64",
    "--port-forward",
    "8080:80,static=true",
  ], { from: "user" });
  const opts = command.opts();
  deepStrictEqual(opts, {
    cpus: 4,
    memory: 2.5,
    mount: ["/a", "/b:w", "/c"],
    set: [".a = 1", ".b = 2, .c = 3"],
    param: ["k=v"],
    network: ["lima:shared", "vzNAT"],
    video: true,
    arch: "aarch64",
    portForward: ["8080:80,static=true"],
  });
  throws(
    () =>
      addEditFlags(new Command("x").exitOverride()).parse(["--cpus", "two"], {
        from: "user",
      }),
    /--cpus/,
  );
});

Deno.test("addEditFlags: edit-only commands lack the create flags; help carries the prefix", () => {
  const edit = addEditFlags(new Command("edit"), {
    create: false,
    commentPrefix: "[limactl edit] ",
  });
  const names = edit.options.map((o) => o.long);
  ok(
    names.includes("--set") && names.includes("--disk") &&
      names.includes("--vm-type"),
  );
  ok(
    !names.includes("--arch") && !names.includes("--containerd") &&
      !names.includes("--port-forward"),
  );
  ok(edit.options.every((o) => o.description.startsWith("[limactl edit] ")));
  const create = addEditFlags(new Command("create"));
  ok(create.options.some((o) => o.long === "--image-variant"));
});
