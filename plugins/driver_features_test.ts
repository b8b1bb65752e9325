import assert from "node:assert/strict";
import type { DriverCapabilities } from "./contract.ts";
import { driverFeatures } from "./driver_features.ts";

const capabilities: DriverCapabilities = {
  mountTypes: ["reverse-sshfs"],
  snapshots: false,
  gui: true,
  display: false,
  dynamicSSHAddress: true,
  noCloudInit: true,
  guestAgentTransport: "ssh",
  imageFormats: ["raw"],
};

Deno.test("driverFeatures states the capabilities' flags as Lima's features", () => {
  assert.deepEqual(driverFeatures(capabilities), {
    canRunGui: true,
    dynamicSSHAddress: true,
    staticSSHPort: false,
    skipSocketForwarding: false,
    noCloudInit: true,
    rosettaEnabled: false,
    rosettaBinFmt: false,
    supportedImageFormats: ["raw"],
  });
});

Deno.test("driverFeatures takes the differences over the derived values", () => {
  const features = driverFeatures(capabilities, {
    canRunGui: false,
    staticSSHPort: true,
  });
  assert.equal(features.canRunGui, false);
  assert.equal(features.staticSSHPort, true);
  assert.equal(features.noCloudInit, true);
});
