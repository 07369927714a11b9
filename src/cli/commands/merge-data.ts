import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { mergeDataDir } from '../../capture/merge-data.js';
import { createLogger } from '../../logger.js';
import { loadOrCreateSalt } from '../../store/salt.js';
import { openTargetArchives } from '../../store/sqlite/invocation-export.js';
import type { CliContext } from '../context.js';
import { markMerged } from '../legacy-data-dir.js';
import { batchedWriteError } from '../disk-full.js';
import { lazyProgress } from '../progress.js';

/** The path with symbolic links resolved (as given when it cannot be). */
function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** Whether `dir` is `inside` or one of its parents. */
function holds(dir: string, inside: string): boolean {
  const rel = path.relative(realPath(dir), realPath(inside));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The error a merge stops with: see batchedWriteError (it records in batches, deduplicated). */
export function mergeError(err: unknown, dataDir: string): unknown {
  return batchedWriteError(err, dataDir, 'run merge-data again', 'what it merged before the disk filled stays merged, and the re-run adds only the rest');
}

/** `merge-data DIR|FILE`: another data directory's (or database file's) invocations into this one, deduplicated. */
export function registerMergeDataCommand(program: Command, ctx: CliContext): void {
  program
    .command('merge-data <source>')
    .description(
      'merge the invocations (archived ones too), reflections, skill cost calls and A/B experiments of another data directory (e.g. an old ./.session-buddy) or database file into this one, deduplicated; safe to re-run',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (source: string, opts: { json?: boolean }, cmd: Command) => {
      const app = await (await import('../../app.js')).openApp(ctx.config(cmd), { logger: createLogger('silent') });
      try {
        // The row count is known only once the source is open: the bar is made on the first report.
        const progress = lazyProgress('merging (invocations)', ctx.stderr);
        const sum = await mergeDataDir({
          source: path.resolve(ctx.cwd, source),
          targetDbPath: app.config.dbPath,
          targetSalt: app.stores.userSalt ?? loadOrCreateSalt(app.config.dataDir),
          record: (inputs) => app.tracker.trackBatch(inputs),
          present: app.stores.invocations,
          // `archive` runs on SQLite only: a PostgreSQL store has no archive files of its own.
          archives: app.stores.sqlite ? openTargetArchives(app.stores.sqlite.db, app.config.dataDir) : null,
          storeReflection: (r) => app.stores.reflections.insert(r),
          recordCosts: (rows) => app.stores.skillCosts.record(rows),
          mergeExperiment: (copy) => app.stores.experiments.merge(copy),
          onProgress: progress.update,
        }).catch((err: unknown) => {
          throw mergeError(err, app.config.dataDir);
        });
        progress.finish();
        // What was merged, as the user may delete it: the data directory named, unless it holds the data
        // directory in use (then, as for a source named as a file, only its database file).
        const folder = sum.sourceDir !== null && !holds(sum.sourceDir, app.config.dataDir) ? sum.sourceDir : null;
        const merged = folder ?? sum.source;
        // A merged folder is recorded as merged either way (the notice has nothing more to offer); a
        // folder that still holds data that is not merged is not said to be deletable.
        const left = sum.notMerged.map((n) => `${n.rows} ${n.what}`).join(', ');
        const marked = folder !== null && markMerged(folder, app.config.dataDir, new Date(app.now()));
        if (opts.json) {
          ctx.stdout.write(`${JSON.stringify(sum, null, 2)}\n`);
          return;
        }
        const counts = (what: string, c: { rows: number; inserted: number; duplicates: number }) =>
          c.rows > 0 ? `; ${c.rows} ${what}, ${c.inserted} new, ${c.duplicates} already present` : '';
        ctx.stdout.write(
          `merged ${sum.source} into ${app.config.dataDir}: ${sum.rows} row(s)` +
            `${sum.fromArchives.rows ? ` (${sum.fromArchives.rows} of them from ${sum.fromArchives.files} archive file(s) there)` : ''}` +
            `, ${sum.inserted} new, ${sum.duplicates} already present` +
            `${sum.archived ? ` (${sum.archived} of them archived here)` : ''}` +
            `${sum.skipped ? `, ${sum.skipped} skipped (${sum.skippedExamples.join('; ')})` : ''}` +
            `${counts('reflection(s)', sum.reflections)}${counts('skill cost call(s)', sum.costCalls)}` +
            `${counts('A/B experiment(s)', sum.experiments)}${counts('A/B assignment(s)', sum.abAssignments)}${counts('A/B outcome(s)', sum.abOutcomes)}\n` +
            (sum.otherSalt
              ? `its users were hashed with another salt (fingerprint ${sum.otherSalt.source}; this installation's is ${sum.otherSalt.here}): they count as separate users here\n`
              : '') +
            (left
              ? `not merged: ${left}; keep ${merged} while you need them\n`
              : folder === null
                ? `${merged} is merged and can be deleted\n`
                : marked
                  ? `${merged} is merged and can be deleted (commands no longer mention it unless it changes)\n`
                  : `${merged} is merged and can be deleted (it could not be marked as merged there, so commands run beside it may still mention it)\n`),
        );
      } finally {
        await app.close();
      }
    });
}
