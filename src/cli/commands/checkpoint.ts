import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { checkpointJson } from '../../session/report-json.js';
import { renderCheckpointMarkdown } from '../../session/report-markdown.js';
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
      // Built by the composition root, as the server builds it: the session manager keeps a session's checkpoint as a
      // reflection (the same store the server writes) and reads the project's score history from it.
      const app = await (await import('../../app.js')).openApp({ ...config, dependencyAudit: opts.audit ? config.dependencyAudit : 'off' }, { logger });
      try {
        const report = await app.sessions.checkpoint({ workingDirectory: dir });
        const markdown = renderCheckpointMarkdown(report);
        ctx.stdout.write(opts.format === 'json' ? `${JSON.stringify(checkpointJson(report, markdown), null, 2)}\n` : markdown);
      } finally {
        await app.close();
      }
    });
  fieldFlags(command, { working_directory: '--dir' });
}
