import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, Option } from 'commander';
import { DEFAULT_SETTLE_MS, emptySummary, importTranscripts, type ImportSummary } from '../../capture/transcript-import.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../capture/transcript-scan.js';
import { HOOK_KILL_AFTER_SECONDS } from '../../capture/entry-command.js';
import { loadPriceTable } from '../../capture/model-price-file.js';
import { drainSpool } from '../../capture/spool.js';
import { osUserName } from '../../capture/user-id.js';
import { AppError } from '../../errors.js';
import { openTracker } from '../../tracking/open-tracker.js';
import type { CliContext } from '../context.js';
import { batchedWriteError } from '../disk-full.js';
import { lazyProgress } from '../progress.js';
import { checkFlags, numberFlag } from '../flags.js';
import { runningServer } from '../pidfile.js';

interface ImportOpts {
  user?: string;
  json?: boolean;
  settleMinutes?: string;
  maxLineMib?: string;
  full?: boolean;
  /** Commander's negation of --no-costs. */
  costs?: boolean;
  fromHook?: boolean;
}

/**
 * `--from-hook` (capture/hook-import.ts): started by a Stop or SessionEnd hook. Waits until every
 * hook process started before it has been ended by its `timeout` wrapper, then, when no server runs
 * to take them, stores the rows the hooks spooled before reading the transcript: a hook's row
 * carries Claude Code's `duration_ms`, the transcript's the gap between messages (approval time
 * included), and the first one stored keeps the shared dedupe key.
 */
const FROM_HOOK_WAIT_MS = Math.ceil(HOOK_KILL_AFTER_SECONDS * 1000) + 400;

/** Below this many bytes to read, no progress bar (the import takes well under a second). */
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

/**
 * The longest `--settle-minutes`: 30 days, Claude Code's default `cleanupPeriodDays`, after which it
 * deletes a transcript anyway; a session untouched that long is finished.
 */
const MAX_SETTLE_MINUTES = 30 * 24 * 60;

/**
 * The summary in words. `files` counts every file whose calls this import handled: the files it
 * read, and the unchanged ones it did not read whose calls left without a result were settled now
 * (`settled`, counted as failed), which are not said to be imported.
 */
function describe(s: ImportSummary): string {
  return (
    `imported ${s.files - s.settled} file(s), ${s.lines} line(s): ${s.invocations} tool call(s), ` +
    `${s.inserted} new, ${s.duplicates} already recorded` +
    (s.unchanged > 0 ? `; ${s.unchanged} unchanged file(s) skipped` : '') +
    (s.settled > 0 ? `, ${s.settled} of them settled (their calls left without a result recorded as failed)` : '') +
    (s.appended > 0 ? `; ${s.appended} file(s) read from where the last import stopped` : '') +
    (s.reread > 0 ? `; ${s.reread} rewritten or truncated file(s) read again` : '') +
    (s.rereadForCosts > 0 ? `; ${s.rereadForCosts} file(s) imported before without costs read again for them` : '') +
    (s.pending > 0 ? `; ${s.pending} call(s) without a result yet in transcripts still being written: not recorded by this import` : '') +
    (s.rejected > 0 ? `; ${s.rejected} rejected as invalid` : '') +
    (s.malformed > 0 ? `; ${s.malformed} malformed line(s) skipped` : '') +
    (s.unreadable > 0 ? `; ${s.unreadable} unreadable file(s) or folder(s) skipped` : '') +
    '\n' +
    (s.costs ? describeCosts(s.costs) : '')
  );
}

/**
 * One call can be attributed under both rules, so the rows are counted per rule, never summed into
 * a number of calls; "new" and "already recorded" count rows too.
 */
function describeCosts(c: NonNullable<ImportSummary['costs']>): string {
  const { stamped, bounded } = c.attributedByRule;
  return (
    `${c.calls} API call(s); attributed to skills: ${stamped} stamped, ${bounded} bounded ` +
    `(${c.inserted} new${c.duplicates > 0 ? `, ${c.duplicates} already recorded` : ''})` +
    (c.noUsage > 0 ? `; ${c.noUsage} without usage (not attributed)` : '') +
    (c.unpriced > 0
      ? `; ${c.unpriced} of those attributions with no price for their model (cost unknown, tokens counted): ${c.unknownModels.join(', ') || 'model not named'}`
      : '') +
    ` [prices ${c.priceVersion}]\n`
  );
}

/** The error an import stops with: see batchedWriteError. */
export function importError(err: unknown, dataDir: string): unknown {
  return batchedWriteError(
    err,
    dataDir,
    'run the import again',
    'the calls it recorded before the disk filled stay recorded, and the re-run continues from there',
  );
}

export function registerImportCommand(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .argument('[paths...]', 'transcript files or directories (searched recursively for *.jsonl)', [])
    .description(
      'import tool calls from Claude Code transcripts (default: <dir>/projects of every CLAUDE_CONFIG_DIR entry, else ~/.claude/projects); ' +
        'only what changed since the last import is read, and importing twice adds nothing',
    )
    .option('--user <id>', 'user id (stored hashed; default: the OS user name)')
    .option(
      '--settle-minutes <n>',
      `a transcript untouched this long (0-${MAX_SETTLE_MINUTES}) is finished: calls without a result count as failed`,
      String(DEFAULT_SETTLE_MS / 60_000),
    )
    .option(
      '--max-line-mib <n>',
      'longest transcript line read (at most 1024); longer ones are counted as malformed and skipped',
      String(DEFAULT_MAX_LINE_BYTES / 1024 / 1024),
    )
    .option('--full', 'read every file whole, ignoring where earlier imports stopped')
    .option('--no-costs', 'read tool calls only: no tokens and cost per skill (faster)')
    .option('--json', 'print the summary as JSON')
    .addOption(new Option('--from-hook', 'started by a Stop / SessionEnd hook: wait for the hooks, store their spool first').hideHelp())
    .action(async (paths: string[], opts: ImportOpts, cmd: Command) => {
      const { settle, maxLineMib, named } = checkFlags({
        settle: () => numberFlag('--settle-minutes', opts.settleMinutes ?? '', 0, MAX_SETTLE_MINUTES),
        maxLineMib: () => numberFlag('--max-line-mib', opts.maxLineMib ?? '', 0, 1024, undefined, { minExclusive: true }),
        named: () => {
          const resolved = paths.map((p) => path.resolve(ctx.cwd, p));
          const missing = resolved.filter((p) => !fs.existsSync(p));
          if (missing.length > 0) throw AppError.invalid('paths', `not found: ${missing.join(', ')}`);
          return resolved;
        },
      });
      const config = ctx.config(cmd);
      const prices = opts.costs === false ? null : loadPriceTable(config.dataDir);
      let targets: string[];
      if (named.length > 0) {
        targets = named;
      } else {
        const all = config.claudeConfigDirs.map((d) => path.join(d, 'projects'));
        targets = all.filter((d) => fs.existsSync(d));
        if (targets.length === 0) {
          // A new machine, or Claude Code not used yet: nothing to do, not an error. The data directory
          // is still set up (as by `init`), so the hooks, the server and `doctor` find it ready.
          await (await openTracker(config, { cacheMiB: 32 })).close();
          const note = `nothing to import: no Claude Code transcripts yet (${all.join(', ')} not found; Claude Code writes them as you use it, set CLAUDE_CONFIG_DIR or name the paths if yours are elsewhere); data directory ready: ${config.dataDir}\n`;
          if (opts.json) {
            ctx.stderr.write(note);
            ctx.stdout.write(`${JSON.stringify({ ...emptySummary(), elapsedMs: 0 })}\n`);
          } else ctx.stdout.write(note);
          return;
        }
      }
      if (opts.fromHook) await sleep(FROM_HOOK_WAIT_MS);
      // A smaller SQLite page cache: the import writes each rollup page a few times, then exits (peak RSS).
      const app = await openTracker(config, { cacheMiB: 32 });
      try {
        if (opts.fromHook && !runningServer(config.dataDir)) {
          await drainSpool(config.dataDir, (inputs) => app.tracker.trackBatch(inputs)).catch(() => undefined);
        }
        const progress = lazyProgress('import (bytes)', ctx.stderr, PROGRESS_MIN_BYTES);
        const started = process.hrtime.bigint();
        const summary = await importTranscripts(targets, {
          userId: opts.user ?? osUserName(),
          record: (inputs) => app.tracker.trackBatch(inputs),
          now: app.now(),
          settleMs: settle * 60_000,
          maxLineBytes: Math.floor(maxLineMib * 1024 * 1024),
          ...(opts.full ? {} : { cursors: app.stores.transcriptCursors }),
          ...(prices
            ? { costs: { prices, userHash: app.hashUser((opts.user ?? osUserName()).trim()), record: (rows) => app.stores.skillCosts.record(rows) } }
            : {}),
          onProgress: progress.update,
        }).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') throw AppError.invalid('paths', `not found: ${err.path ?? targets.join(', ')}`);
          throw importError(err, config.dataDir);
        });
        const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
        progress.finish();
        for (const m of summary.malformedAt) ctx.stderr.write(`malformed line skipped: ${m}\n`);
        if (summary.malformed > summary.malformedAt.length)
          ctx.stderr.write(`… and ${summary.malformed - summary.malformedAt.length} more malformed line(s)\n`);
        for (const u of summary.unreadableAt) ctx.stderr.write(`unreadable, skipped: ${u}\n`);
        if (opts.json) {
          ctx.stdout.write(`${JSON.stringify({ ...summary, elapsedMs: Math.round(elapsedMs * 10) / 10 })}\n`);
          return;
        }
        ctx.stdout.write(describe(summary));
      } finally {
        await app.close();
      }
    });
}
