/**
 * The commander scaffolding shared by the full CLI and the hook-only CLI,
 * and `runCli`, which maps errors to messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { toAppError } from '../errors.js';
import { VERSION } from '../version.js';
import type { CliContext } from './context.js';

export function baseProgram(ctx: CliContext): Command {
  return new Command('session-buddy')
    .description('Local-first MCP server that makes AI coding agents measurable')
    .version(VERSION)
    .option('--data-dir <dir>', 'data directory (default ~/.session-buddy, or $XDG_DATA_HOME/session-buddy; env SESSION_BUDDY_DATA_DIR)')
    .option('--log-level <level>', 'debug | info | warn | error | silent (default info)')
    .option('--store <url>', 'where data lives: sqlite:PATH (default <data-dir>/session-buddy.db) or postgres://… (env SESSION_BUDDY_STORE)')
    .option('--pubsub <url>', 'fan live events out to other instances: redis://… or none (default; env SESSION_BUDDY_PUBSUB)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
}

export function finish(program: Command, ctx: CliContext): Command {
  for (const sub of program.commands) {
    sub.exitOverride().showHelpAfterError('(run with --help for usage)');
    sub.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  }
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[], ctx: CliContext, program: Command): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit with code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    const e = toAppError(err);
    ctx.stderr.write(`error: ${e.message}\n`);
    if (e.code === 'INTERNAL' && e.cause instanceof Error && e.cause.stack) ctx.stderr.write(`${e.cause.stack}\n`);
    return e.code === 'INVALID_INPUT' ? 2 : 1;
  }
}
