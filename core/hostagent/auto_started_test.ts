import assert from "node:assert/strict";
import { autoStartedIdentifier, serviceOfCgroup } from "./auto_started.ts";

const linux = (cgroup: string | undefined) => ({
  os: "linux" as const,
  env: () => undefined,
  cgroup: () => cgroup,
});

Deno.test("a host agent that the autostart unit started names that user unit", () => {
  assert.equal(
    autoStartedIdentifier(linux(
      "0::/user.slice/user-1000.slice/user@1000.service/app.slice/lima-vm@default.service\n",
    )),
    "lima-vm@default.service",
  );
  // A systemd v1 hierarchy beside the controllers.
  assert.equal(
    serviceOfCgroup(
      "4:memory:/user.slice\n1:name=systemd:/user.slice/user-0.slice/user@0.service/lima-vm@vm.service\n",
    ),
    "lima-vm@vm.service",
  );
});

Deno.test("a host agent started from a login session or a container names no service", () => {
  assert.equal(
    autoStartedIdentifier(
      linux("0::/user.slice/user-1000.slice/session-3.scope\n"),
    ),
    "",
  );
  assert.equal(autoStartedIdentifier(linux("4:memory:/docker/x\n0::/\n")), "");
  assert.equal(autoStartedIdentifier(linux(undefined)), "");
});

Deno.test("on macOS the launchd job's label, except launchd's 0 outside a job", () => {
  const mac = (label?: string) => ({
    os: "darwin" as const,
    env: (name: string) => name === "XPC_SERVICE_NAME" ? label : undefined,
    cgroup: () => undefined,
  });
  assert.equal(
    autoStartedIdentifier(mac("io.lima-vm.autostart.default")),
    "io.lima-vm.autostart.default",
  );
  assert.equal(autoStartedIdentifier(mac("0")), "");
  assert.equal(autoStartedIdentifier(mac(undefined)), "");
});
