import assert from "node:assert/strict";
import { guestEnvironment, renderEtcEnvironment } from "./etc_environment.ts";
import { configureLogger } from "../log.ts";
import { seed, seedText } from "./_test_config.ts";

configureLogger({ write: () => {} });

const GATEWAY = "192.168.5.2";
const env = (
  options: {
    env?: Record<string, string>;
    hostEnv?: Record<string, string>;
    propagate?: boolean;
  },
) =>
  guestEnvironment({
    env: options.env ?? {},
    hostEnv: options.hostEnv ?? {},
    propagateProxyEnv: options.propagate ?? true,
    gateway: GATEWAY,
  });

Deno.test("etc_environment holds the env entries between the LIMA markers, sorted", () => {
  const text = seedText(
    seed("env: {ZED: last, ALPHA: 'a b', EMPTY: ''}\n"),
    "etc_environment",
  );
  assert.equal(text, "#LIMA-START\nALPHA=a b\nEMPTY=\nZED=last\n#LIMA-END\n");
});

Deno.test("proxy variables of limactl reach the guest, loopback pointing at the gateway", () => {
  const text = seedText(
    seed("env: {FOO: bar}\n", {
      hostEnv: {
        https_proxy: "http://user:pw@127.0.0.1:3128/",
        NO_PROXY: "localhost,127.0.0.1",
        PATH: "/usr/bin",
      },
    }),
    "etc_environment",
  );
  assert.equal(
    text,
    [
      "#LIMA-START",
      "FOO=bar",
      "HTTPS_PROXY=http://user:pw@192.168.5.2:3128/",
      "NO_PROXY=localhost,127.0.0.1",
      "https_proxy=http://user:pw@192.168.5.2:3128/",
      "no_proxy=localhost,127.0.0.1",
      "#LIMA-END",
      "",
    ].join("\n"),
  );
});

Deno.test("loopback proxies of every spelling are rewritten, others are kept", () => {
  assert.deepEqual(
    env({
      hostEnv: {
        http_proxy: "http://localhost:8080",
        ftp_proxy: "socks5://[::1]:1080",
        HTTPS_PROXY: "127.0.0.1:3128",
      },
    }),
    {
      http_proxy: "http://192.168.5.2:8080",
      HTTP_PROXY: "http://192.168.5.2:8080",
      ftp_proxy: "socks5://192.168.5.2:1080",
      FTP_PROXY: "socks5://192.168.5.2:1080",
      https_proxy: "192.168.5.2:3128",
      HTTPS_PROXY: "192.168.5.2:3128",
    },
  );
  assert.deepEqual(
    env({ hostEnv: { http_proxy: "http://proxy.example:3128" } }),
    {
      http_proxy: "http://proxy.example:3128",
      HTTP_PROXY: "http://proxy.example:3128",
    },
  );
  assert.deepEqual(
    env({ hostEnv: { http_proxy: "http://localhost.example:3128" } })
      .http_proxy,
    "http://localhost.example:3128",
  );
});

Deno.test("the limactl environment overrides env, and the lower-case spelling wins", () => {
  assert.deepEqual(
    env({
      env: {
        http_proxy: "http://from-config:1",
        HTTPS_PROXY: "http://upper:2",
        https_proxy: "http://lower:3",
      },
      hostEnv: { http_proxy: "http://from-host:1" },
    }),
    {
      http_proxy: "http://from-host:1",
      HTTP_PROXY: "http://from-host:1",
      https_proxy: "http://lower:3",
      HTTPS_PROXY: "http://lower:3",
    },
  );
});

Deno.test("empty proxy values remove the variable in both spellings", () => {
  assert.deepEqual(
    env({ env: { http_proxy: "http://x:1" }, hostEnv: { http_proxy: "" } }),
    {},
  );
});

Deno.test("propagateProxyEnv: false keeps the limactl environment out of the guest", () => {
  assert.deepEqual(
    env({
      env: { http_proxy: "http://localhost:3128" },
      hostEnv: { https_proxy: "http://h:1" },
      propagate: false,
    }),
    {
      http_proxy: "http://192.168.5.2:3128",
      HTTP_PROXY: "http://192.168.5.2:3128",
    },
  );
});

Deno.test("etc_environment refuses values with line breaks", () => {
  assert.throws(
    () => renderEtcEnvironment({ A: "x\nB=y" }),
    /Cannot write A to the cidata file etc_environment/,
  );
});
