/**
 * Tokens and cost exist only in transcripts, so at Stop and SessionEnd the
 * hook starts `session-buddy import <transcript_path>` in a detached process
 * and returns at once: the hook is not slowed (no wait, no store opened), the
 * import is incremental (only what the transcript gained since the last
 * import is read) and idempotent (dedupe keys), so a run that is cut short or
 * skipped is caught up by the next one.
 *
 * At most one such import runs per data directory: its pid is kept in
 * `<data-dir>/hook-import.pid`, and while that process is alive a new Stop
 * starts none (the next Stop after it ends imports what was missed).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { processAlive } from '../process-alive.js';
import { entryArgv, type EntryPoint } from './entry-command.js';

export const HOOK_IMPORT_PID_FILE = 'hook-import.pid';

export type HookImportOutcome = { started: number } | { skipped: 'no transcript' | 'import running' };

export function startTranscriptImport(opts: { dataDir: string; entry: EntryPoint; userId: string; transcriptPath: string }): HookImportOutcome {
  if (!fs.statSync(opts.transcriptPath, { throwIfNoEntry: false })?.isFile()) return { skipped: 'no transcript' };
  const pidFile = path.join(opts.dataDir, HOOK_IMPORT_PID_FILE);
  const running = Number.parseInt(fs.readFileSync(pidFile, { encoding: 'utf8', flag: 'a+' }).trim(), 10);
  if (Number.isInteger(running) && running > 0 && processAlive(running)) return { skipped: 'import running' };
  const [node, ...argv] = entryArgv(opts.entry, opts.dataDir, ['import', '--user', opts.userId, opts.transcriptPath]);
  const child = spawn(node!, argv, { detached: true, stdio: 'ignore' });
  child.unref();
  if (child.pid === undefined) return { skipped: 'import running' };
  fs.writeFileSync(pidFile, `${child.pid}\n`, { mode: 0o600 });
  return { started: child.pid };
}
