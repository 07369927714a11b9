import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { openApp } from '../../app.js';
import { DEFAULT_SETTLE_MS, importTranscripts } from '../../capture/transcript-import.js';
import { osUserName } from '../../capture/user-id.js';
import { AppError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import type { CliContext } from '../context.js';
import { createProgress } from '../progress.js';

interface ImportOpts {
  user?: string;
  json?: boolean;
  settleMinutes?: string;
}

export function registerImportCommand(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .argument('[paths...]', 'transcript files or directories (searched recursively for *.jsonl)', [])
    .description('import tool calls from Claude Code transcripts (default ~/.claude/projects); importing twice adds nothing')
    .option('--user <id>', 'user id (stored hashed; default: the OS user name)')
    .option('--settle-minutes <n>', 'a transcript untouched this long is finished: calls without a result count as failed', String(DEFAULT_SETTLE_MS / 60_000))
    .option('--json', 'print the summary as JSON')
    .action(async (paths: string[], opts: ImportOpts, cmd: Command) => {
      const settle = Number(opts.settleMinutes);
      if (!Number.isFinite(settle) || settle < 0) throw AppError.invalid('--settle-minutes', 'must be a number >= 0');
      const targets = (paths.length > 0 ? paths : [path.join(os.homedir(), '.claude', 'projects')]).map((p) => path.resolve(ctx.cwd, p));
      const app = await openApp(ctx.config(cmd), { logger: createLogger('silent') });
      try {
        let bar: ReturnType<typeof createProgress> | null = null;
        const summary = await importTranscripts(targets, {
          userId: opts.user ?? osUserName(),
          record: (inputs) => app.tracker.trackBatch(inputs),
          now: app.now(),
          settleMs: settle * 60_000,
          onProgress: (done, total) => {
            bar ??= createProgress('import', total, ctx.stderr);
            bar.update(done);
          },
        }).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') throw AppError.invalid('paths', `not found: ${err.path ?? targets.join(', ')}`);
          throw err;
        });
        (bar as ReturnType<typeof createProgress> | null)?.finish();
        if (opts.json) {
          ctx.stdout.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        ctx.stdout.write(
          `imported ${summary.files} file(s), ${summary.lines} line(s): ${summary.invocations} tool call(s), ` +
            `${summary.inserted} new, ${summary.duplicates} already recorded` +
            (summary.pending > 0 ? `, ${summary.pending} still running (not recorded yet)` : '') +
            (summary.rejected > 0 ? `, ${summary.rejected} rejected as invalid` : '') +
            (summary.malformed > 0 ? `; ${summary.malformed} malformed line(s) skipped` : '') +
            (summary.unreadable > 0 ? `; ${summary.unreadable} unreadable file(s)` : '') +
            '\n',
        );
      } finally {
        await app.close();
      }
    });
}
