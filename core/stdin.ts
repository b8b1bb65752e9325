/**
 * This process's stdin shared by consumers in turn. A read of `Deno.stdin` cannot be cancelled:
 * once an in-process SSH session ends, its last read stays pending and would swallow the next
 * key typed (the first answer to `shell --sync`'s question). Here one pump reads stdin for all
 * consumers and queues what arrives, so bytes read after one consumer is done go to the next.
 * Only commands that hand stdin from one consumer to another use it: a child process inheriting
 * stdin (an editor) would compete with the pump's pending read.
 */

const queue: Uint8Array[] = [];
let wake: () => void = () => {};
let ended = false;
let pumping = false;

async function pump(): Promise<void> {
  const reader = Deno.stdin.readable.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      queue.push(value);
      wake();
    }
  } catch {
    // A closed or unreadable stdin is an end.
  }
  ended = true;
  wake();
}

/** A stream of what stdin delivers from now on; cancelling it leaves the rest to the next one. */
export function sharedStdin(): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!pumping) {
        pumping = true;
        pump();
      }
      while (queue.length === 0 && !ended) {
        await new Promise<void>((resolve) => wake = resolve);
        if (cancelled) return;
      }
      const chunk = queue.shift();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
}
