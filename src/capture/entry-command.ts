/**
 * The command lines that install-hooks and mcp-config write: absolute paths
 * to the Node binary and to this installation's entry script, plus the data
 * directory and a store other than the default (a team's PostgreSQL), so they
 * reach the same data from any working directory, with a PATH that lacks
 * the project, and with no network (never `npx`, which would ask the
 * registry for a package of that name).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { shellQuote } from './mcp-config.js';

export interface EntryPoint {
  /** Absolute path of the Node binary (process.execPath). */
  node: string;
  /** Absolute path of bin/session-buddy.js, symlinks resolved. */
  script: string;
}

export function entryPoint(nodePath: string, binPath: string): EntryPoint {
  let script = binPath;
  try {
    script = fs.realpathSync(binPath);
  } catch {
    // keep the given path; doctor reports a command that does not run
  }
  return { node: nodePath, script };
}

/** Where the data lives, as the global options that name it: the data directory, and the store when it is not the default (config.ts storeFlagValue). */
export interface DataPlace {
  dataDir: string;
  store: string | null;
}

/** argv of `session-buddy --data-dir DIR [--store URL] <command...>`. */
export function entryArgv(entry: EntryPoint, place: DataPlace, command: readonly string[]): string[] {
  return [entry.node, entry.script, '--data-dir', place.dataDir, ...(place.store === null ? [] : ['--store', place.store]), ...command];
}

/** The same as one shell command line (what settings.json hooks hold). */
export function entryCommandLine(entry: EntryPoint, place: DataPlace, command: readonly string[]): string {
  return entryArgv(entry, place, command).map(shellQuote).join(' ');
}

/**
 * Seconds after which the installed hook command is killed from outside
 * (SIGKILL by coreutils `timeout`): the hook's own deadlines (1.2 s timer,
 * watchdog thread) need its process to get the CPU, this does not — a hook
 * stopped (SIGSTOP), starved by an overloaded machine or stuck in a system
 * call still ends within 2 s of being started.
 */
export const HOOK_KILL_AFTER_SECONDS = 1.6;

/** Where a `timeout` (GNU coreutils; `gtimeout` from Homebrew's coreutils) usually is. */
const TIMEOUT_DIRS = ['/usr/bin', '/bin', '/usr/local/bin', '/opt/homebrew/bin'];

/**
 * The absolute path of a `timeout` that accepts `-s KILL <fractional seconds>`
 * (checked by running it once), searched in the usual directories and then
 * in `pathEnv`; null when there is none (the hook then relies on its own
 * deadlines and on Claude Code's hook timeout).
 */
export function findTimeoutCommand(pathEnv: string | undefined): string | null {
  const dirs = [...TIMEOUT_DIRS, ...(pathEnv ?? '').split(':').filter((d) => d.startsWith('/'))];
  for (const name of ['timeout', 'gtimeout']) {
    for (const dir of dirs) {
      const file = `${dir}/${name}`;
      try {
        fs.accessSync(file, fs.constants.X_OK);
      } catch {
        continue;
      }
      const r = spawnSync(file, ['-s', 'KILL', String(HOOK_KILL_AFTER_SECONDS), 'true'], { stdio: 'ignore', timeout: 10_000 });
      if (r.status === 0) return file;
    }
  }
  return null;
}

/**
 * The hook command line: the entry command, wrapped in `<timeout> -s KILL
 * 1.6` when a `timeout` was found (killed, it exits 137, which Claude Code
 * treats as a non-blocking error, as any status but 2). Wrapped, the hook
 * runs with `--no-watchdog` (cli/hook-deadline.ts): the wrapper bounds it.
 */
export function hookCommandLine(entry: EntryPoint, place: DataPlace, timeoutCommand: string | null): string {
  if (!timeoutCommand) return entryCommandLine(entry, place, ['hook']);
  return `${shellQuote(timeoutCommand)} -s KILL ${HOOK_KILL_AFTER_SECONDS} ${entryCommandLine(entry, place, ['hook', '--no-watchdog'])}`;
}
