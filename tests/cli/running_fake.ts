/**
 * A "running" instance for CLI tests without a VM: live PIDs in `ha.pid`/`qemu.pid`, a host
 * agent socket that answers `/v1/info`, and a real sshd on loopback standing in for the guest.
 * The guest shares the host's file system and runs as the user running the tests.
 */
import { join } from "node:path";
import { closeControlMaster } from "../../core/ssh/control_master.ts";
import { startTestGuest, type TestGuest } from "../fixtures/sshd.ts";
import { createDummyInstance } from "./helpers.ts";

export interface RunningFake extends AsyncDisposable {
  guest: TestGuest;
  limaHome: string;
  /** A directory mounted into the instance (the fake guest shares the host's file system). */
  work: string;
}

export interface FakeOptions {
  /** Fields replacing the defaults' (`mounts`, `user`), given the LIMA_HOME. */
  config?: (limaHome: string) => Record<string, unknown>;
  /** Give the guest a `sudo` that runs its command as the login user, as root in CI. */
  sudo?: boolean;
  /** The guest's PATH instead of the host's (a guest without some program). */
  guestPath?: string;
  /** The instances to create, all logging in to the one sshd; `vm` by default. */
  names?: string[];
}

/** Instance `vm` (or NAMES) that status reporting sees as Running, logging in to the test sshd. */
export async function runningFake(
  options: FakeOptions = {},
): Promise<RunningFake> {
  const bin = options.sudo
    ? await Deno.makeTempDir({ prefix: "lima-guest-bin-" })
    : undefined;
  if (bin) {
    await Deno.writeTextFile(join(bin, "sudo"), '#!/bin/sh\nexec "$@"\n', {
      mode: 0o755,
    });
  }
  const guest = await startTestGuest("_guest", {
    path: options.guestPath ?? (bin &&
      `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`),
  });
  const { limaHome } = guest;
  const work = join(limaHome, "work dir");
  await Deno.mkdir(work);
  const instDirs: string[] = [];
  const servers: Deno.HttpServer[] = [];
  for (const name of options.names ?? ["vm"]) {
    await createDummyInstance(name, {
      limaHome,
      yaml: JSON.stringify({
        images: [{ location: "/etc/profile" }],
        user: { name: guest.sshd.user },
        ssh: { localPort: guest.sshd.port },
        mounts: [{ location: work }],
        ...options.config?.(limaHome),
      }),
    });
    const instDir = join(limaHome, name);
    await Deno.writeTextFile(join(instDir, "ha.pid"), `${Deno.pid}\n`);
    await Deno.writeTextFile(join(instDir, "qemu.pid"), `${Deno.pid}\n`);
    instDirs.push(instDir);
    servers.push(Deno.serve(
      { path: join(instDir, "ha.sock"), onListen: () => {} },
      () => Response.json({ sshLocalPort: guest.sshd.port }),
    ));
  }
  return {
    guest,
    limaHome,
    work,
    async [Symbol.asyncDispose]() {
      // Copies through an instance's SSH options leave a persisting master behind.
      for (const dir of instDirs) await closeControlMaster(dir);
      for (const server of servers) await server.shutdown();
      await guest[Symbol.asyncDispose]();
      if (bin) await Deno.remove(bin, { recursive: true });
    },
  };
}
