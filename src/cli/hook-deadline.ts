/**
 * Bounds a `session-buddy hook` process, whatever happens inside it: the
 * agent must never wait on, or be slowed by, a stuck hook.
 *
 * - At `softMs` a timer exits with code 0 (covers anything asynchronous: a
 *   server that accepts the connection and never answers, a slow drain).
 * - At `hardMs` a watchdog thread kills the process (covers a main thread
 *   stuck in synchronous code, e.g. a file system call that never returns,
 *   where no timer can fire). This is the only path with a non-zero status
 *   (SIGKILL), which Claude Code treats as a non-blocking error.
 *
 * Work cut short is safe: spool appends are single writes, a claimed spool
 * file is reclaimed by the next drain, and dedupe keys make re-recording
 * harmless.
 */
import { Worker } from 'node:worker_threads';

/**
 * Counted from when main.ts arms them, first thing (Node itself starts in
 * about 0.1 s): counting from the process start instead would, on a machine
 * so loaded that Node takes seconds to start, end every hook before it
 * recorded anything.
 */
export const HOOK_SOFT_DEADLINE_MS = 1500;
export const HOOK_HARD_DEADLINE_MS = 1800;

export function armHookDeadline(softMs = HOOK_SOFT_DEADLINE_MS, hardMs = HOOK_HARD_DEADLINE_MS): void {
  setTimeout(() => process.exit(0), softMs).unref();
  try {
    const watchdog = new Worker(
      `const { workerData } = require('node:worker_threads');
       setTimeout(() => process.kill(workerData.pid, 'SIGKILL'), workerData.ms);`,
      // execArgv: [] — no loader hooks (e.g. tsx) in the watchdog: it must start without the main thread's help.
      { eval: true, execArgv: [], workerData: { pid: process.pid, ms: hardMs } },
    );
    watchdog.unref();
    watchdog.on('error', () => undefined);
  } catch {
    // no worker threads: the soft deadline still holds for asynchronous waits
  }
}
