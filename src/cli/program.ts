/**
 * The `session-buddy` command line: every command registered on one
 * commander program. `runCli` maps errors to messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { toAppError } from '../errors.js';
import { VERSION } from '../version.js';
import { type CliContext } from './context.js';
import { registerCompactCommand } from './commands/compact.js';
import { registerHookCommand } from './commands/hook.js';
import { registerImportCommand } from './commands/import.js';
import { registerInitCommand } from './commands/init.js';
import { registerInstallHooksCommand } from './commands/install-hooks.js';
import { registerArchiveCommand, registerBackupCommand, registerDoctorCommand, registerRestoreCommand } from './commands/maintenance.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerMcpConfigCommand } from './commands/mcp-config.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerRecordCommand } from './commands/record.js';
import { registerSeedDemoCommand } from './commands/seed-demo.js';
import { registerStartCommand, registerStopCommand } from './commands/start.js';
import { registerStatusCommand } from './commands/status.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('session-buddy')
    .description('Local-first MCP server that makes AI coding agents measurable')
    .version(VERSION)
    .option('--data-dir <dir>', 'data directory (default ./.session-buddy, env SESSION_BUDDY_DATA_DIR)')
    .option('--log-level <level>', 'debug | info | warn | error | silent (default info)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });

  registerInitCommand(program, ctx);
  registerMigrateCommand(program, ctx);
  registerStatusCommand(program, ctx);
  registerStartCommand(program, ctx);
  registerStopCommand(program, ctx);
  registerRecordCommand(program, ctx);
  registerSeedDemoCommand(program, ctx);
  registerCompactCommand(program, ctx);
  registerMcpCommand(program, ctx);
  registerHookCommand(program, ctx);
  registerInstallHooksCommand(program, ctx);
  registerMcpConfigCommand(program, ctx);
  registerImportCommand(program, ctx);
  registerBackupCommand(program, ctx);
  registerRestoreCommand(program, ctx);
  registerArchiveCommand(program, ctx);
  registerDoctorCommand(program, ctx);
  for (const sub of program.commands) {
    sub.exitOverride().showHelpAfterError('(run with --help for usage)');
    sub.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  }
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
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
