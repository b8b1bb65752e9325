/**
 * Instance `vm` that status reporting sees as Running: live PIDs in `ha.pid`/`qemu.pid`, a
 * host agent socket that answers `/v1/info`, and a real sshd on loopback standing in for the
 * guest (it shares the host's file system).
 */
import { join } from "node:path";
import { startTestGuest, type TestGuest } from "../fixtures/sshd.ts";
import { createDummyInstance } from "./helpers.ts";

export interface RunningFake extends AsyncDisposable {
  guest: TestGuest;
  limaHome: string;
  /** A directory mounted into the instance (the fake guest shares the host's file system). */
  work: string;
}

/** Instance `vm` that status reporting sees as Running, logging in to the test sshd. */
export async function runningFake(): Promise<RunningFake> {
  const guest = await startTestGuest("_guest");
  const { limaHome } = guest;
  const work = join(limaHome, "work dir");
  await Deno.mkdir(work);
  await createDummyInstance("vm", {
    limaHome,
    yaml: JSON.stringify({
      images: [{ location: "/etc/profile" }],
      user: { name: guest.sshd.user },
      ssh: { localPort: guest.sshd.port },
      mounts: [{ location: work }],
    }),
  });
  const instDir = join(limaHome, "vm");
  await Deno.writeTextFile(join(instDir, "ha.pid"), `${Deno.pid}\n`);
  await Deno.writeTextFile(join(instDir, "qemu.pid"), `${Deno.pid}\n`);
  const server = Deno.serve(
    { path: join(instDir, "ha.sock"), onListen: () => {} },
    () => Response.json({ sshLocalPort: guest.sshd.port }),
  );
  return {
    guest,
    limaHome,
    work,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await guest[Symbol.asyncDispose]();
    },
  };
}
