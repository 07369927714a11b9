/**
 * Process entry point of the CLI: the only place that touches process.argv,
 * process.env and process.exit.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCliContext } from './context.js';
import { runCli } from './program.js';

const ctx = createCliContext({
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  binPath: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js'),
});

const code = await runCli(process.argv.slice(2), ctx);
process.exitCode = code;
