import assert from "node:assert/strict";
import { limaFuncs } from "./funcs.ts";
import { GoTemplateError, parseGoTemplate, renderGoTemplate } from "./mod.ts";

// Shaped like the data `limactl list --format` gives a template for one instance.
function instance(name: string, status: string, cpus: number) {
  return {
    Name: name,
    Hostname: `lima-${name}`,
    Status: status,
    Dir: `/home/u/.lima/${name}`,
    VMType: "qemu",
    Arch: "x86_64",
    CPUs: cpus,
    Memory: 4294967296,
    Disk: 107374182400,
    Message: "",
    SSHLocalPort: 60022,
    SSHAddress: "127.0.0.1",
    Protected: false,
    Errors: [] as string[],
    Param: new Map([["Foo", "bar"]]),
    Config: {
      cpus,
      images: [
        { location: "https://example.com/a.img", arch: "x86_64" },
        { location: "https://example.com/b.img", arch: "aarch64" },
      ],
      env: new Map([["B", "2"], ["A", "1"]]),
    },
  };
}

Deno.test("a parsed template executes once per instance", () => {
  const template = parseGoTemplate(
    "{{.Name}} {{.Status}} {{.SSHAddress}}:{{.SSHLocalPort}}",
    { name: "format" },
  );
  assert.equal(
    template.execute(instance("default", "Running", 4)),
    "default Running 127.0.0.1:60022",
  );
  assert.equal(
    template.execute(instance("docker", "Stopped", 2)),
    "docker Stopped 127.0.0.1:60022",
  );
});

Deno.test("list-style templates over nested config", () => {
  const data = instance("default", "Running", 4);
  const opts = { name: "format", funcs: limaFuncs };
  assert.equal(renderGoTemplate("{{.Config.cpus}}", data, opts), "4");
  assert.equal(
    renderGoTemplate(
      "{{range .Config.images}}{{.arch}}={{.location}}\n{{end}}",
      data,
      opts,
    ),
    "x86_64=https://example.com/a.img\naarch64=https://example.com/b.img\n",
  );
  assert.equal(
    renderGoTemplate("{{(index .Config.images 1).arch}}", data, opts),
    "aarch64",
  );
  assert.equal(
    renderGoTemplate(
      "{{range $k, $v := .Config.env}}{{$k}}={{$v}} {{end}}",
      data,
      opts,
    ),
    "A=1 B=2 ",
  );
  assert.equal(
    renderGoTemplate("{{len .Errors}} {{.Errors}}", data, opts),
    "0 []",
  );
  assert.equal(
    renderGoTemplate("{{.Param.Foo}} {{.Param.Nope}}", data, opts),
    "bar <no value>",
  );
  assert.equal(
    renderGoTemplate(
      '{{if eq .Status "Running"}}up{{else}}down{{end}} {{printf "%-8s|" .Name}}',
      data,
      opts,
    ),
    "up default |",
  );
  assert.equal(
    JSON.parse(renderGoTemplate("{{json .}}", data, opts)).Config.images.length,
    2,
  );
  assert.throws(() => renderGoTemplate("{{.Unknown}}", data, opts), {
    name: "GoTemplateError",
    message:
      /^template: format:1:2: executing "format" at <\.Unknown>: can't evaluate field Unknown/,
  });
});

Deno.test("host and guest template variables in lima.yaml fields", () => {
  const host = {
    Dir: "/home/u/.lima/vm",
    Name: "vm",
    UID: "1000",
    User: "u",
    Home: "/home/u",
    Param: new Map([["Share", "/srv"]]),
  };
  assert.equal(renderGoTemplate("{{.Home}}/shared", host), "/home/u/shared");
  assert.equal(
    renderGoTemplate("{{.Dir}}/sock/{{.Name}}.sock", host),
    "/home/u/.lima/vm/sock/vm.sock",
  );
  assert.equal(renderGoTemplate("{{.Param.Share}}/data", host), "/srv/data");
  assert.equal(renderGoTemplate("no actions here", host), "no actions here");
  assert.equal(
    renderGoTemplate("/home/{{.User}}.guest", { User: "u" }),
    "/home/u.guest",
  );
});

Deno.test("message fields render multi-line text with conditions", () => {
  const message = [
    "To run `docker` on the host:",
    "{{- if .Param.Rootful}}",
    'docker context create lima-{{.Name}} --docker "host=unix://{{.Dir}}/sock/docker.sock"',
    "{{- else}}",
    "rootless {{.Name}}",
    "{{- end}}",
    "",
  ].join("\n");
  assert.equal(
    renderGoTemplate(message, {
      Name: "d",
      Dir: "/x",
      Param: new Map([["Rootful", "true"]]),
    }, { name: "message" }),
    'To run `docker` on the host:\ndocker context create lima-d --docker "host=unix:///x/sock/docker.sock"\n',
  );
  assert.equal(
    renderGoTemplate(message, { Name: "d", Dir: "/x", Param: new Map() }, {
      name: "message",
    }),
    "To run `docker` on the host:\nrootless d\n",
  );
});

Deno.test("errors are GoTemplateError instances", () => {
  assert.throws(
    () => parseGoTemplate("{{"),
    (e) =>
      e instanceof GoTemplateError &&
      e.message === "template: template:1: unclosed action",
  );
  assert.throws(() => renderGoTemplate("{{.X.Y}}", { X: 1 }), GoTemplateError);
});
