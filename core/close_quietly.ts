/** Closes C, ignoring that it is already closed (the usual race between two directions of a copy). */
export function closeQuietly(c: { close(): void } | undefined): void {
  try {
    c?.close();
  } catch {
    // Already closed.
  }
}
