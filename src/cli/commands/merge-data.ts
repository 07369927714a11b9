import path from 'node:path';
import type { Command } from 'commander';
import { mergeDataDir } from '../../capture/merge-data.js';
import { createLogger } from '../../logger.js';
import { loadOrCreateSalt } from '../../store/salt.js';
import type { CliContext } from '../context.js';
import { markMerged } from '../legacy-data-dir.js';
import { lazyProgress } from '../progress.js';

/** `merge-data DIR`: another data directory's invocations into this one, deduplicated. */
export function registerMergeDataCommand(program: Command, ctx: CliContext): void {
  program
    .command('merge-data <dir>')
    .description(
      'merge the invocations, reflections and skill cost calls of another data directory (e.g. an old ./.session-buddy) into this one, deduplicated; safe to re-run',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (dir: string, opts: { json?: boolean }, cmd: Command) => {
      const app = await (await import('../../app.js')).openApp(ctx.config(cmd), { logger: createLogger('silent') });
      try {
        // The row count is known only once the source is open: the bar is made on the first report.
        const progress = lazyProgress('merging (invocations)', ctx.stderr);
        const sum = await mergeDataDir({
          source: path.resolve(ctx.cwd, dir),
          targetDbPath: app.config.dbPath,
          targetSalt: app.stores.userSalt ?? loadOrCreateSalt(app.config.dataDir),
          record: (inputs) => app.tracker.trackBatch(inputs),
          storeReflection: (r) => app.stores.reflections.insert(r),
          recordCosts: (rows) => app.stores.skillCosts.record(rows),
          onProgress: progress.update,
        });
        progress.finish();
        // Recorded as merged either way (the notice has nothing more to offer); a folder that still holds data
        // that is not merged is not said to be deletable.
        const left = sum.notMerged.map((n) => `${n.rows} ${n.what}`).join(', ');
        const marked = markMerged(path.dirname(sum.source), app.config.dataDir, new Date(app.now()));
        if (opts.json) {
          ctx.stdout.write(`${JSON.stringify(sum, null, 2)}\n`);
          return;
        }
        const counts = (what: string, c: { rows: number; inserted: number; duplicates: number }) =>
          c.rows > 0 ? `; ${c.rows} ${what}, ${c.inserted} new, ${c.duplicates} already present` : '';
        ctx.stdout.write(
          `merged ${sum.source} into ${app.config.dataDir}: ${sum.rows} row(s), ${sum.inserted} new, ${sum.duplicates} already present` +
            `${sum.skipped ? `, ${sum.skipped} skipped (${sum.skippedExamples.join('; ')})` : ''}` +
            `${counts('reflection(s)', sum.reflections)}${counts('skill cost call(s)', sum.costCalls)}\n` +
            (left
              ? `not merged: ${left}; keep ${path.dirname(sum.source)} while you need them\n`
              : marked
                ? `${path.dirname(sum.source)} is merged and can be deleted (commands no longer mention it unless it changes)\n`
                : ''),
        );
      } finally {
        await app.close();
      }
    });
}
