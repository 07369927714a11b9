import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { checkpointJson } from '../../session/report-json.js';
import { renderCheckpointMarkdown } from '../../session/report-markdown.js';
import { SessionManager } from '../../session/session-manager.js';
import { openStoreViews } from '../../store/open-stores.js';
import type { CliContext } from '../context.js';
import { fieldFlags } from '../flags.js';

export function registerCheckpointCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('checkpoint')
    .description(
      'measure a project (Quality Score V2 with evidence, session metrics, storage and compaction advice) and print the ' +
        'checkpoint report; records a checkpoint when the directory has an open session',
    )
    .option('--format <format>', 'md | json', 'md')
    .option('--dir <path>', 'project directory (default: the current directory)')
    .option('--no-audit', 'skip the dependency audit (npm audit / pip-audit need the network)')
    .action(async (opts: { format: string; dir?: string; audit: boolean }, cmd: Command) => {
      if (opts.format !== 'md' && opts.format !== 'json') throw AppError.invalid('--format', 'must be md or json');
      const config = ctx.config(cmd);
      const dir = path.resolve(ctx.cwd, opts.dir ?? '.');
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, ctx.stderr);
      // The SQLite file is read as it is (read-only, not created); a PostgreSQL store is opened without migrating.
      const stores = await openStoreViews(config);
      try {
        const sessions = new SessionManager({
          dataDir: config.dataDir,
          logger,
          audit: opts.audit ? 'auto' : 'off',
          compaction: { compactThresholdBytes: config.compactThresholdBytes },
          claudeConfigDirs: config.claudeConfigDirs,
          sessionSkillMetrics: stores?.sessionSkillMetrics,
          storageStats: async () => {
            if (!stores) throw new AppError('NOT_FOUND', `no database at ${config.dbPath} (run session-buddy init)`);
            return stores.storageStats();
          },
        });
        const report = await sessions.checkpoint({ workingDirectory: dir });
        const markdown = renderCheckpointMarkdown(report);
        ctx.stdout.write(opts.format === 'json' ? `${JSON.stringify(checkpointJson(report, markdown), null, 2)}\n` : markdown);
      } finally {
        await stores?.close();
      }
    });
  fieldFlags(command, { working_directory: '--dir' });
}
