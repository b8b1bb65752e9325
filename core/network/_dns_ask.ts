/** For the DNS tests: one UDP query to 127.0.0.1:PORT and its answer (3 s at most). */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";

export async function ask(port: number, msg: Uint8Array): Promise<Uint8Array> {
  const sock = dgram.createSocket("udp4");
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer")), 3000);
      sock.on("message", (m) => {
        clearTimeout(timer);
        resolve(new Uint8Array(m));
      });
      sock.send(Buffer.from(msg), port, "127.0.0.1");
    });
  } finally {
    sock.close();
  }
}
