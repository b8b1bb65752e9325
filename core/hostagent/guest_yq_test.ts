import assert from "node:assert/strict";
import { answerGuestYq, serveGuestYq, YQ_DIR } from "./guest_yq.ts";

const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: string | Uint8Array | undefined) =>
  typeof b === "string" ? b : new TextDecoder().decode(b);

/** A guest whose YQ_DIR holds FILES; commands are matched by their shape. */
function fakeGuest(files: Record<string, string>) {
  const commands: string[] = [];
  const conn = {
    run(command: string, options: { stdin?: string | Uint8Array } = {}) {
      commands.push(command);
      const cat = /^cat ([^>]\S*)$/.exec(command);
      const write = /^(?:cat|echo (\S+)) >(\S+)$/.exec(command);
      let stdout = "";
      if (cat) stdout = files[cat[1]];
      else if (write) {
        files[write[2]] = write[1] !== undefined
          ? `${write[1]}\n`
          : decode(options.stdin);
      }
      return Promise.resolve({
        code: 0,
        stdout: encode(stdout),
        stderr: new Uint8Array(),
      });
    },
  };
  return { conn, files, commands };
}

const provisions = [
  { id: "00000001", path: "/etc/a.yaml", expression: ".list += [2]" },
  { id: "00000002", path: "/etc/b.json", expression: ".x = true" },
  { id: "00000003", path: "/etc/c.yaml", expression: ".a = " },
];

Deno.test("the host answers each staged file and then marks the boot's requests done", async () => {
  const guest = fakeGuest({ [`${YQ_DIR}/00000001.yaml`]: "list: [1]\n" });
  await answerGuestYq(
    guest.conn,
    provisions,
    "00000001.yaml\n00000002.json.new\n00000003.yaml.new\nready\n",
    "iid-1",
  );
  assert.equal(guest.files[`${YQ_DIR}/00000001.out`], "list: [1, 2]\n");
  assert.equal(guest.files[`${YQ_DIR}/00000002.out`], '{\n  "x": true\n}\n');
  assert.match(
    guest.files[`${YQ_DIR}/00000003.err`],
    /failed to evaluate yq expression/,
  );
  assert.equal(guest.files[`${YQ_DIR}/done`], "iid-1\n");
  assert.equal(
    guest.commands.at(-1),
    `echo iid-1 >${YQ_DIR}/done`,
    "done comes last",
  );
});

Deno.test("the host asks nothing of a guest without yq provisions", async () => {
  const guest = fakeGuest({});
  await serveGuestYq({
    provisions: [],
    iid: "iid-1",
    connect: () => Promise.resolve(guest.conn),
    signal: new AbortController().signal,
  });
  assert.deepEqual(guest.commands, []);
});

Deno.test("the host keeps answering until its signal aborts, through failed logins", async () => {
  const stop = new AbortController();
  let logins = 0;
  const guest = fakeGuest({});
  await serveGuestYq({
    provisions,
    iid: "iid-1",
    connect: () => {
      logins++;
      if (logins === 1) return Promise.reject(new Error("no route"));
      stop.abort();
      return Promise.resolve(guest.conn);
    },
    signal: stop.signal,
  });
  assert.equal(logins, 2);
});
