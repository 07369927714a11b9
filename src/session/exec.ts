/**
 * Runs an external program (git, npm, pip-audit) with a hard timeout and a
 * bounded output buffer. Never throws: every failure is described in the result,
 * so callers can report "not measured: <why>" instead of crashing.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  ok: boolean;
  /** Exit code; null when the process was killed or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Why the command did not run or did not finish (e.g. `ENOENT`, `timed out after 10000 ms`). */
  error: string | null;
}

interface RunOptions {
  cwd: string;
  timeoutMs?: number;
  maxBufferBytes?: number;
}

export type CommandRunner = (command: string, args: readonly string[], opts: RunOptions) => Promise<CommandResult>;

export const runCommand: CommandRunner = (command, args, opts) =>
  new Promise((resolve) => {
    const timeoutMs = opts.timeoutMs ?? 5000;
    execFile(
      command,
      [...args],
      {
        cwd: opts.cwd,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: opts.maxBufferBytes ?? 16 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ ok: true, code: 0, stdout, stderr, timedOut: false, error: null });
          return;
        }
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown };
        const timedOut = e.killed === true && e.signal === 'SIGKILL';
        const code = typeof e.code === 'number' ? e.code : null;
        const error = timedOut ? `timed out after ${timeoutMs} ms` : typeof e.code === 'string' ? e.code : code === null ? e.message : null;
        resolve({ ok: false, code, stdout: stdout ?? '', stderr: stderr ?? '', timedOut, error });
      },
    );
  });

/** First non-empty line of a command's stderr/stdout/error, for evidence strings. */
export function firstLine(r: CommandResult, max = 160): string {
  const text = [r.error ?? '', r.stderr, r.stdout].find((s) => s.trim().length > 0) ?? `exit code ${r.code}`;
  const line = text.trim().split('\n')[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
