/**
 * The first import's read side alone, for bench/import.ts: `importTranscripts` with the options
 * `session-buddy import` gives it (worker threads, the native scanner where built, costs with the
 * shipped prices, the default settle time and line cap), but every database write replaced by a
 * count and no cursors. Not a command: it shows how much of the first import is reading, pairing
 * and attributing, and how much is writing. bench/import.ts bundles it as scripts/build.mjs bundles
 * the CLI (the same code, optimized the same way) and runs it in a fresh process:
 *
 *   node <bundle>/read-side.js <projects directory>   # prints the summary as JSON, as `import --json` does
 */
import { shippedPriceTable } from '../src/capture/model-price-file.js';
import { DEFAULT_SETTLE_MS, importTranscripts } from '../src/capture/transcript-import.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: read-side.js <projects directory>\n');
  process.exit(2);
}
const started = process.hrtime.bigint();
const summary = await importTranscripts([dir], {
  userId: 'bench',
  now: Date.now(),
  settleMs: DEFAULT_SETTLE_MS,
  record: async (inputs) => ({ inserted: inputs.length, duplicates: 0 }),
  costs: { prices: shippedPriceTable(), userHash: 'f'.repeat(64), record: async (rows) => ({ inserted: rows.length, duplicates: 0 }) },
});
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(`${JSON.stringify({ ...summary, elapsedMs: Math.round(elapsedMs * 10) / 10 })}\n`);
