/**
 * The command lines that install-hooks and mcp-config write: absolute paths
 * to the Node binary and to this installation's entry script, plus the data
 * directory, so they run from any working directory, with a PATH that lacks
 * the project, and with no network (never `npx`, which would ask the
 * registry for a package of that name).
 */
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

/** argv of `session-buddy --data-dir DIR <command...>`. */
export function entryArgv(entry: EntryPoint, dataDir: string, command: readonly string[]): string[] {
  return [entry.node, entry.script, '--data-dir', dataDir, ...command];
}

/** The same as one shell command line (what settings.json hooks hold). */
export function entryCommandLine(entry: EntryPoint, dataDir: string, command: readonly string[]): string {
  return entryArgv(entry, dataDir, command).map(shellQuote).join(' ');
}
