/**
 * The container engine wrappers against a stand-in `limactl` (LIMACTL) and stand-in host
 * clients: they refuse missing and stopped instances with a hint, use the host's client on
 * the forwarded socket (or kubeconfig) when there is one, and otherwise run the tool in the
 * guest through `limactl shell`.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const WRAPPERS = fileURLToPath(new URL(".", import.meta.url));

/**
 * Answers `ls -q NAME`, `ls -f '{{ .Status }}' NAME` and `ls -f '{{ .Dir }}' NAME` from
 * FAKE_INSTANCES ("name:Status ..."); any other command line is printed.
 */
const FAKE_LIMACTL = `#!/bin/sh
if [ "$1" = ls ]; then
	eval "wanted=\\\${$#}"
	for entry in $FAKE_INSTANCES; do
		name=\${entry%%:*}
		[ "$name" = "$wanted" ] || continue
		case "$2 $3" in
		-q*) echo "$name" ;;
		*Status*) echo "\${entry#*:}" ;;
		*Dir*) echo "/lima/$name" ;;
		esac
		exit 0
	done
	echo "no instance matching $wanted found" >&2
	exit 0
fi
echo "limactl $*"
`;

/** A host client that prints how it was called. */
const fakeClient = (name: string, variable: string) =>
  `#!/bin/sh\necho "${name} ${variable}=$${variable} $*"\n`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function wrapper(
  name: string,
  args: string[],
  o: { instances: string; clients?: string[]; env?: Record<string, string> },
): Promise<Run> {
  const bin = await Deno.makeTempDir({ prefix: "limactl-wrappers-" });
  try {
    await Deno.writeTextFile(`${bin}/limactl`, FAKE_LIMACTL, { mode: 0o755 });
    const variables: Record<string, string> = {
      docker: "DOCKER_HOST",
      podman: "CONTAINER_HOST",
      kubectl: "KUBECONFIG",
    };
    for (const client of o.clients ?? []) {
      await Deno.writeTextFile(
        `${bin}/${client}`,
        fakeClient(client, variables[client]),
        { mode: 0o755 },
      );
    }
    const out = await new Deno.Command(`${WRAPPERS}${name}`, {
      args,
      // Only the stand-ins are found on PATH; the wrappers need nothing else.
      env: { PATH: bin, FAKE_INSTANCES: o.instances, ...o.env },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return {
      code: out.code,
      stdout: decode(out.stdout).trim(),
      stderr: decode(out.stderr).trim(),
    };
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
}

Deno.test("docker.lima and podman.lima refuse missing and stopped instances", async () => {
  for (
    const [name, instance] of [["docker.lima", "docker"], [
      "podman.lima",
      "podman",
    ]]
  ) {
    const missing = await wrapper(name, ["info"], { instances: "" });
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `instance "${instance}" does not exist, run \`limactl create --name=${instance} template:${instance}\` to create a new instance`,
    );
    const stopped = await wrapper(name, ["info"], {
      instances: `${instance}:Stopped`,
    });
    assert.equal(stopped.code, 1);
    assert.equal(
      stopped.stderr,
      `instance "${instance}" is not running, run \`limactl start ${instance}\` to start the existing instance`,
    );
  }
});

Deno.test("docker.lima uses the host's docker on the forwarded socket, else docker in the guest", async () => {
  const host = await wrapper("docker.lima", ["ps", "-a"], {
    instances: "docker:Running",
    clients: ["docker"],
  });
  assert.equal(host.code, 0, host.stderr);
  assert.equal(
    host.stdout,
    "docker DOCKER_HOST=unix:///lima/docker/sock/docker.sock ps -a",
  );

  const guest = await wrapper("docker.lima", ["ps", "-a"], {
    instances: "other:Running",
    env: { LIMA_INSTANCE: "other" },
  });
  assert.equal(guest.code, 0, guest.stderr);
  assert.equal(guest.stdout, "limactl shell other docker ps -a");
});

Deno.test("podman.lima talks to the forwarded socket with podman --remote, else podman in the guest", async () => {
  const host = await wrapper("podman.lima", ["ps"], {
    instances: "podman:Running",
    clients: ["podman"],
  });
  assert.equal(
    host.stdout,
    "podman CONTAINER_HOST=unix:///lima/podman/sock/podman.sock --remote ps",
  );
  const guest = await wrapper("podman.lima", ["ps"], {
    instances: "podman:Running",
  });
  assert.equal(guest.stdout, "limactl shell podman podman ps");
});

Deno.test("nerdctl.lima runs nerdctl in the instance with the caller's environment", async () => {
  const r = await wrapper("nerdctl.lima", ["run", "--rm", "alpine"], {
    instances: "",
  });
  assert.equal(
    r.stdout,
    "limactl shell --preserve-env default nerdctl run --rm alpine",
  );
  const named = await wrapper("nerdctl.lima", ["ps"], {
    instances: "",
    env: { LIMA_INSTANCE: "dev" },
  });
  assert.equal(named.stdout, "limactl shell --preserve-env dev nerdctl ps");
});

Deno.test("kubectl.lima picks k3s, else k8s, and uses the copied kubeconfig or kubectl in the guest", async () => {
  const k3s = await wrapper("kubectl.lima", ["get", "nodes"], {
    instances: "k8s:Running k3s:Running",
    clients: ["kubectl"],
  });
  assert.equal(
    k3s.stdout,
    "kubectl KUBECONFIG=/lima/k3s/copied-from-guest/kubeconfig.yaml get nodes",
  );
  const k8s = await wrapper("kubectl.lima", ["get", "nodes"], {
    instances: "k8s:Running",
  });
  assert.equal(k8s.stdout, "limactl shell k8s sudo kubectl get nodes");

  const none = await wrapper("kubectl.lima", ["get", "nodes"], {
    instances: "docker:Running",
  });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no instance "k3s" or "k8s" exists/);
  const stopped = await wrapper("kubectl.lima", [], {
    instances: "k3s:Stopped",
  });
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /instance "k3s" is not running/);
  const chosen = await wrapper("kubectl.lima", [], {
    instances: "k3s:Running",
    env: { LIMA_INSTANCE: "mine" },
  });
  assert.equal(chosen.code, 1);
  assert.match(chosen.stderr, /instance "mine" does not exist/);
});
