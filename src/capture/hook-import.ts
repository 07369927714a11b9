/**
 * Tokens and cost exist only in transcripts, so at Stop and SessionEnd the
 * hook starts `session-buddy import <transcript_path>` in a detached process
 * and returns at once: the hook is not slowed (no wait, no store opened), the
 * import is incremental (only what the transcript gained since the last
 * import is read) and idempotent (dedupe keys), so a run that is cut short or
 * skipped is caught up by the next one.
 *
 * The import is started with `--from-hook` (import.ts): it first waits until
 * every hook process started before it has ended (each is killed at
 * HOOK_KILL_AFTER_SECONDS), then, when no server runs, ingests the spool, so
 * the hook's rows (with Claude Code's `duration_ms`) are stored before the
 * transcript's (whose durations include approval time) and keep the shared
 * dedupe keys. At SessionEnd the transcript is finished: it is imported with
 * `--settle-minutes 0`, so a call that never got its result is recorded as
 * failed (`no_result`) now rather than by a manual import ten minutes later.
 *
 * At most one such import runs per data directory: its pid is kept in
 * `<data-dir>/hook-import.pid`, and while that process is alive a new Stop
 * starts none (the next Stop after it ends imports what was missed).
 * SessionEnd starts one anyway: no later event would (a second import of the
 * same file is harmless, the keys make it idempotent).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { processAlive } from '../process-alive.js';
import { entryArgv, type EntryPoint } from './entry-command.js';

export const HOOK_IMPORT_PID_FILE = 'hook-import.pid';

export type HookImportOutcome = { started: number } | { skipped: 'no transcript' | 'import running' };

export function startTranscriptImport(opts: {
  dataDir: string;
  /** The store the hook was given (`--store`), for the import to write to; null: the default. */
  store: string | null;
  entry: EntryPoint;
  userId: string;
  transcriptPath: string;
  /** SessionEnd: the transcript is finished. */
  sessionEnded?: boolean;
}): HookImportOutcome {
  if (!fs.statSync(opts.transcriptPath, { throwIfNoEntry: false })?.isFile()) return { skipped: 'no transcript' };
  const pidFile = path.join(opts.dataDir, HOOK_IMPORT_PID_FILE);
  const running = Number.parseInt(fs.readFileSync(pidFile, { encoding: 'utf8', flag: 'a+' }).trim(), 10);
  if (!opts.sessionEnded && Number.isInteger(running) && running > 0 && processAlive(running)) return { skipped: 'import running' };
  const finished = opts.sessionEnded ? ['--settle-minutes', '0'] : [];
  const [node, ...argv] = entryArgv(opts.entry, opts, ['import', '--from-hook', ...finished, '--user', opts.userId, opts.transcriptPath]);
  const child = spawn(node!, argv, { detached: true, stdio: 'ignore' });
  child.unref();
  if (child.pid === undefined) return { skipped: 'import running' };
  fs.writeFileSync(pidFile, `${child.pid}\n`, { mode: 0o600 });
  return { started: child.pid };
}
