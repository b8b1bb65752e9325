/**
 * The `docker-debian` template on the test guest: its provisioning installs Debian's docker.io
 * from the guest's own package mirror, its probe waits for the daemon, and `docker.lima info`
 * works from the host (through the forwarded socket when the host has a docker client, else
 * in the guest).
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import {
  guestImage,
  seconds,
  skipVMTests,
  start,
  withLima,
} from "./harness.ts";

Deno.test({
  name: "docker-debian installs Docker from Debian and docker.lima reaches it",
  ignore: skipVMTests,
}, async () => {
  const image = await guestImage();
  await withLima(async (lima) => {
    const template = parse(testTemplate(image));
    template.base = ["template:docker-debian"];
    // Room for the engine and its images on the emulated guest.
    template.memory = "2GiB";
    template.disk = "8GiB";
    const file = `${lima.home}/docker.yaml`;
    await Deno.writeTextFile(file, stringify(template));
    const started = performance.now();
    // Installing the engine from the mirror under emulation took 5m23s on a quiet CI machine.
    const r = await start(lima, ["--tty=false", "--name", "docker", file], {
      timeout: "12m",
    });
    assert.match(r.stderr, /Docker from docker\.io to be running/);
    console.log(
      `  docker.io installed and running after ${
        seconds(performance.now() - started)
      }`,
    );

    const info = await lima.wrapper("docker.lima", [
      "info",
      "--format",
      "{{.ServerVersion}} {{.OperatingSystem}}",
    ]);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^\d+\.\d+\.\S+ Debian GNU\/Linux/);

    const missing = await lima.wrapper("docker.lima", ["info"], {
      LIMA_INSTANCE: "nothere",
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /instance "nothere" does not exist/);
    await lima.expect(0, ["stop", "docker"]);
  });
});
