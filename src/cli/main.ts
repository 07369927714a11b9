/**
 * Process entry point of the CLI: the only place that touches process.argv,
 * process.env and process.exit.
 */
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { createCliContext } from './context.js';
import { runCli } from './runner.js';

// Everything the CLI and the servers it starts create (data directory, database and its
// WAL files, salt, token, logs, spool, archives, backups) is private to the user: 0700 / 0600.
process.umask(0o077);

// A reader that stops early (`session-buddy migrate --status | head`) closes the pipe: the rest of
// the output is not wanted, which is no failure (and no stack trace). Logs on a closed stderr are
// dropped, so a server whose log reader went away keeps serving.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

const ctx = createCliContext({
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  binPath: path.join(packageRoot(), 'bin', 'session-buddy.js'),
});

const argv = process.argv.slice(2);
// The first word that is not an option (or an option's value) names the command.
const command = argv.find((a, i) => !a.startsWith('-') && !['--data-dir', '--log-level', '--store', '--pubsub'].includes(argv[i - 1] ?? ''));
if (command === 'hook') {
  const { armHookDeadline, HOOK_HARD_DEADLINE_MS, HOOK_MAX_DEADLINE_MS, HOOK_SOFT_DEADLINE_MS } = await import('./hook-deadline.js');
  armHookDeadline(HOOK_SOFT_DEADLINE_MS, HOOK_HARD_DEADLINE_MS, HOOK_MAX_DEADLINE_MS, !argv.includes('--no-watchdog'));
}
const program =
  command === 'hook'
    ? (await import('./hook-program.js')).buildHookProgram(ctx)
    : command === 'import'
      ? (await import('./import-program.js')).buildImportProgram(ctx)
      : (await import('./program.js')).buildProgram(ctx);
const code = await runCli(argv, ctx, program);
// A hook exits 0 whatever went wrong on its side (even a usage error): for PreToolUse,
// Claude Code reads exit code 2 as "block this tool call".
process.exitCode = command === 'hook' ? 0 : code;
