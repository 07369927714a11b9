/**
 * Bounds a `session-buddy hook` process, whatever happens inside it: the
 * agent must never wait on, or be slowed by, a stuck hook.
 *
 * - At `softMs` a timer exits with code 0 (covers anything asynchronous: a
 *   server that accepts the connection and never answers, a slow drain).
 * - A watchdog thread kills the process (covers a main thread stuck in
 *   synchronous code, where no timer can fire): at `hardMs` when the process
 *   has been burning CPU (at least half of the elapsed time: a busy loop, as
 *   Node's recursive mkdir on /proc was), else at `maxMs` at the latest — a
 *   process merely starved of CPU by an overloaded machine, or blocked in a
 *   system call, is not killed in the middle of recording at 1.4 s. The kill
 *   is the only path with a non-zero status (SIGKILL), which Claude Code
 *   treats as a non-blocking error.
 *
 * These need the process to get the CPU. What does not: the command that
 * install-hooks writes runs the hook under coreutils `timeout -s KILL 1.6`
 * (capture/entry-command.ts), so a hook that is stopped or starved of CPU
 * still ends within 2 s of being started.
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
export const HOOK_SOFT_DEADLINE_MS = 1200;
export const HOOK_HARD_DEADLINE_MS = 1400;
export const HOOK_MAX_DEADLINE_MS = 10_000;

const WATCHDOG = `
const { workerData: w } = require('node:worker_threads');
const t0 = Date.now();
const cpu0 = process.cpuUsage(); // process-wide: the main thread's time counts
setInterval(() => {
  const elapsed = Date.now() - t0;
  if (elapsed < w.hardMs) return;
  const c = process.cpuUsage(cpu0);
  const busy = (c.user + c.system) / 1000 >= elapsed * 0.5;
  if (busy || elapsed >= w.maxMs) process.kill(w.pid, 'SIGKILL');
}, 50);`;

/**
 * `watchdog: false` (the hook's `--no-watchdog`, which install-hooks writes along with the `timeout`
 * wrapper): no watchdog thread, the wrapper's SIGKILL bounds the process instead. The thread costs a
 * hook about a fifth of its CPU time (its own V8 instance), which matters when many hooks start at
 * once (parallel tool calls).
 */
export function armHookDeadline(softMs = HOOK_SOFT_DEADLINE_MS, hardMs = HOOK_HARD_DEADLINE_MS, maxMs = HOOK_MAX_DEADLINE_MS, watchdog = true): void {
  setTimeout(() => process.exit(0), softMs).unref();
  if (!watchdog) return;
  try {
    // execArgv: [] — no loader hooks (e.g. tsx) in the watchdog: it must start without the main thread's help.
    const watchdog = new Worker(WATCHDOG, { eval: true, execArgv: [], workerData: { pid: process.pid, hardMs, maxMs: Math.max(hardMs, maxMs) } });
    watchdog.unref();
    watchdog.on('error', () => undefined);
  } catch {
    // no worker threads: the soft deadline still holds for asynchronous waits
  }
}
