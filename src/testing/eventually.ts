/**
 * Calls `read` until `done` holds for its value or `timeoutMs` has passed, and
 * returns the last value read (the caller's assertions then say what was
 * wrong). For reads that may lag a moment behind a write, e.g. the PostgreSQL
 * tail while other transactions on the server are still running.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}
