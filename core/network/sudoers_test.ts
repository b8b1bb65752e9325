/** `limactl sudoers [--check [FILE]]` on a fake macOS (Lima's `cmd/limactl/sudoers_darwin.go`). */
import assert from "node:assert/strict";
import { fakeHost } from "../../tests/fixtures/fake_network_host.ts";
import { defaultNetworksYAML } from "./networks_yaml.ts";
import { sudoers } from "./sudoers.ts";

const SOCKET_VMNET = "/opt/socket_vmnet/bin/socket_vmnet";
const GOLDEN = Deno.readTextFileSync(
  new URL("./testdata/sudoers/default.sudoers", import.meta.url),
);

function macOS(exitCodes: Record<string, number> = {}) {
  return fakeHost({
    files: { [SOCKET_VMNET]: {}, "/private/var/run": { isDirectory: true } },
    executables: [SOCKET_VMNET],
    exitCodes,
  });
}

async function withHome(
  work: (home: string) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${home}/_config`);
    await Deno.writeTextFile(
      `${home}/_config/networks.yaml`,
      defaultNetworksYAML(SOCKET_VMNET),
    );
    await work(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("sudoers prints Lima's text, and only on macOS", async () => {
  await withHome(async (home) => {
    assert.equal(await sudoers([], { home, host: macOS() }), GOLDEN);
    await assert.rejects(
      () => sudoers([], { home, host: { ...macOS(), os: "linux" } }),
      { message: "sudoers command is only supported on macOS right now" },
    );
    await assert.rejects(() => sudoers(["/x"], { home, host: macOS() }), {
      message: "the file argument can be specified only for --check mode",
    });
  });
});

Deno.test("sudoers --check compares the installed file byte for byte", async () => {
  await withHome(async (home) => {
    const file = `${home}/sudoers`;
    await Deno.writeTextFile(file, GOLDEN);
    assert.equal(
      await sudoers([file], { home, check: true, host: macOS() }),
      `\`${file}\` is up-to-date (or sudo doesn't require a password)\n`,
    );
    await Deno.writeTextFile(file, GOLDEN.replace("admin", "staff"));
    await assert.rejects(
      () => sudoers([file], { home, check: true, host: macOS() }),
      {
        message:
          `sudoers file \`${file}\` is out of sync and must be regenerated` +
          ` (Hint: run \`limactl sudoers >etc_sudoers.d_lima && sudo install -o root etc_sudoers.d_lima "${file}"\`))`,
      },
    );
  });
});

Deno.test("sudoers --check without the file passes when sudo needs no password", async () => {
  await withHome(async (home) => {
    const host = macOS();
    assert.match(
      await sudoers([], { home, check: true, host }),
      /^`\/private\/etc\/sudoers.d\/lima` is up-to-date/,
    );
    assert.deepEqual(host.commands, [
      ["sudo", "-k"],
      [
        "sudo",
        "--user",
        "root",
        "--group",
        "wheel",
        "--non-interactive",
        "true",
      ],
    ]);
    const refusing = macOS({
      "sudo --user root --group wheel --non-interactive true": 1,
    });
    await assert.rejects(
      () => sudoers([], { home, check: true, host: refusing }),
      /^LimaError: can't read `\/private\/etc\/sudoers.d\/lima`: open \/private\/etc\/sudoers.d\/lima: no such file or directory: \(Hint: run/,
    );
  });
});

Deno.test("sudoers refuses an unsafe networks.yaml before printing anything", async () => {
  await withHome(async (home) => {
    const host = fakeHost({
      files: { [SOCKET_VMNET]: { uid: 501 } },
      executables: [SOCKET_VMNET],
    });
    await assert.rejects(() => sudoers([], { home, host }), {
      message:
        "networks.yaml field `paths.socketVMNet` error: file `/opt/socket_vmnet/bin/socket_vmnet` is not owned by `root` (uid: 0), but by uid 501",
    });
  });
});
