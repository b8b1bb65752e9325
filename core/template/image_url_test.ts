import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  guessImageArch,
  guessImageOS,
  imageTemplate,
  instanceNameFromImageURL,
  isImageURL,
} from "./image_url.ts";
import { hostArch } from "../config/host.ts";

const otherArch = hostArch() === "x86_64" ? "aarch64" : "x86_64";

Deno.test("image URLs are recognised by disk image extension and compression", () => {
  for (
    const url of [
      "https://example.com/a.img",
      "a.qcow2",
      "/tmp/a.raw.xz",
      "b.iso.gz",
      "c.ipsw",
      "d.img.zstd",
      "e.raw.bz2",
    ]
  ) {
    assert.ok(isImageURL(url), url);
  }
  for (const url of ["a.yaml", "a.img.zip", "a.qcow2.yaml", "template:img"]) {
    assert.ok(!isImageURL(url), url);
  }
});

Deno.test("the instance name drops extensions, generic tags, dates and prefixes", () => {
  const cases: [string, string][] = [
    ["linux.iso.bz2", "linux"],
    ["linux-linux_cloudimg.base-x86_64.raw", "linux-x86_64"],
    ["nocloud_linux-x86_64.raw", "linux-x86_64"],
    ["linux-20250101.raw", "linux"],
    ["linux-20250101-2000.raw", "linux"],
    ["linux-20250101.0.raw", "linux"],
    ["arch-aarch64.raw", "archlinux-aarch64"],
    ["my-arch-aarch64.raw", "my-arch-aarch64"],
    ["rocky-8-8.10.raw", "rocky-8.10"],
    ["rocky-8-9.10.raw", "rocky-8-9.10"],
    ["https://example.com/x/Fedora-Cloud-Base-Generic-42.qcow2", "fedora-42"],
    [
      "https://example.com/UniversalMac_26.0_25A354_Restore.ipsw",
      "macos-26.0_25a354",
    ],
  ];
  for (const [url, name] of cases) {
    assert.equal(instanceNameFromImageURL(url, "unknown"), name, url);
  }
});

Deno.test("the instance name drops the architecture only when it is the host's", () => {
  assert.equal(
    instanceNameFromImageURL(
      `linux_cloudimg.base-${hostArch()}.qcow2.gz`,
      hostArch(),
    ),
    "linux",
  );
  assert.equal(
    instanceNameFromImageURL(`linux-${otherArch}.qcow2`, otherArch),
    `linux-${otherArch}`,
  );
});

Deno.test("architecture and OS are guessed from keywords in the file name", () => {
  assert.equal(guessImageArch("debian-12-genericcloud-arm64.qcow2"), "aarch64");
  assert.equal(
    guessImageArch("ubuntu-24.04-server-cloudimg-amd64.img"),
    "x86_64",
  );
  assert.equal(guessImageArch("x-ppc64el.img"), "ppc64le");
  assert.equal(guessImageArch("x-armhf.img"), "armv7l");
  assert.equal(guessImageArch("plain.img"), undefined);
  assert.equal(
    guessImageOS("FreeBSD-15.0-RELEASE-amd64-BASIC-CLOUDINIT.qcow2"),
    "FreeBSD",
  );
  assert.equal(guessImageOS("UniversalMac_26.0_Restore.ipsw"), "Darwin");
  assert.equal(guessImageOS("alpine.iso"), "Linux");
});

Deno.test("an image URL becomes a minimal template for that image", () => {
  const url =
    `https://example.com/images/debian-13-genericcloud-${otherArch}-20250101.qcow2`;
  const { name, text } = imageTemplate(url);
  assert.deepEqual(parse(text), {
    os: "Linux",
    arch: otherArch,
    images: [{ location: url, arch: otherArch }],
  });
  assert.equal(name, `debian-13-${otherArch}`);
});

Deno.test("a macOS restore image is an aarch64 Darwin template", () => {
  const { text } = imageTemplate(
    "https://example.com/UniversalMac_26.0_Restore.ipsw",
  );
  const parsed = parse(text);
  assert.equal(parsed.os, "Darwin");
  assert.equal(parsed.arch, "aarch64");
});
