/**
 * The `session-buddy` command line: every command registered on one
 * commander program. `runCli` maps errors to messages and exit codes.
 * Commands import the app (app.js) and the server when their action runs,
 * not at the top of their module: `--version`, `--help`, `status`, `doctor`
 * and the other commands that need neither never load the MCP SDK, the HTTP
 * and WebSocket servers or the metrics client (about half the CPU time of
 * such a command before).
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { baseProgram, finish } from './runner.js';
import { registerCheckpointCommand } from './commands/checkpoint.js';
import { registerCompactCommand } from './commands/compact.js';

import { registerHookCommand } from './commands/hook.js';
import { registerImportCommand } from './commands/import.js';
import { registerInitCommand } from './commands/init.js';
import { registerInstallHooksCommand } from './commands/install-hooks.js';
import { registerInventoryCommand } from './commands/inventory.js';
import { registerSkillsCommand } from './commands/skills.js';
import { registerArchiveCommand, registerBackupCommand, registerDoctorCommand, registerRestoreCommand } from './commands/maintenance.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerMcpConfigCommand } from './commands/mcp-config.js';
import { registerMergeDataCommand } from './commands/merge-data.js';
import { legacyDataDirNotice } from './legacy-data-dir.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerMigrateStoreCommand } from './commands/migrate-store.js';
import { registerOtelConfigCommand } from './commands/otel-config.js';
import { registerRecordCommand } from './commands/record.js';
import { registerRepriceCommand } from './commands/reprice.js';
import { registerSearchCommand } from './commands/search.js';
import { registerSeedDemoCommand } from './commands/seed-demo.js';
import { registerStartCommand, registerStopCommand } from './commands/start.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTokenCommand } from './commands/token.js';

export function buildProgram(ctx: CliContext): Command {
  const program = baseProgram(ctx);
  registerInitCommand(program, ctx);
  registerMigrateCommand(program, ctx);
  registerMigrateStoreCommand(program, ctx);
  registerStatusCommand(program, ctx);
  registerStartCommand(program, ctx);
  registerStopCommand(program, ctx);
  registerRecordCommand(program, ctx);
  registerSeedDemoCommand(program, ctx);
  registerCompactCommand(program, ctx);
  registerMcpCommand(program, ctx);
  registerHookCommand(program, ctx);
  registerInstallHooksCommand(program, ctx);
  registerOtelConfigCommand(program, ctx);
  registerMcpConfigCommand(program, ctx);
  registerImportCommand(program, ctx);
  registerRepriceCommand(program, ctx);
  registerMergeDataCommand(program, ctx);
  registerCheckpointCommand(program, ctx);
  registerBackupCommand(program, ctx);
  registerRestoreCommand(program, ctx);
  registerArchiveCommand(program, ctx);
  registerDoctorCommand(program, ctx);
  registerTokenCommand(program, ctx);
  registerInventoryCommand(program, ctx);
  registerSkillsCommand(program, ctx);
  registerSearchCommand(program, ctx);
  program.hook('preAction', (_root, action) => {
    if (['hook', 'merge-data'].includes(action.name())) return;
    try {
      const notice = legacyDataDirNotice(ctx.cwd, ctx.config(action).dataDir);
      if (notice) ctx.stderr.write(notice);
    } catch {
      // a configuration error is reported by the command itself
    }
  });
  return finish(program, ctx);
}
