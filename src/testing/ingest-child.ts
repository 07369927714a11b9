/**
 * Child process for the crash-safety test: ingests random batches forever
 * and prints `ACK <ids>` after each batch's commit resolved. The parent
 * kills it with SIGKILL at random points.
 */
import { createApp } from '../app.js';
import { parseConfig } from '../config.js';
import { createLogger } from '../logger.js';

const dataDir = process.argv[2];
const seed = Number(process.argv[3] ?? 1);
if (!dataDir) throw new Error('usage: ingest-child <dataDir> [seed]');
const app = createApp(parseConfig({ flags: { dataDir }, env: {} }), { logger: createLogger('silent') });
let a = seed >>> 0;
const rand = () => (a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32;

process.stdout.write('READY\n');
for (let round = 0; ; round++) {
  const size = 1 + Math.floor(rand() * 40);
  const items = Array.from({ length: size }, () => ({
    skill_name: `skill-${Math.floor(rand() * 12)}`,
    user_id: `u${Math.floor(rand() * 20)}`,
    session_id: `s${seed}-${Math.floor(rand() * 60)}`,
    workflow_phase: 'implementation',
    completed: rand() < 0.85,
    duration_ms: Math.floor(rand() * 5000),
    invoked_at: Date.now() - Math.floor(rand() * 48 * 3_600_000),
  }));
  // Alternate single calls (group-committed together) and batches.
  if (round % 2 === 0) {
    const results = await Promise.all(items.map((item) => app.tracker.track(item)));
    process.stdout.write(`ACK ${results.map((r) => r.id).join(',')}\n`);
  } else {
    const result = await app.tracker.trackBatch(items);
    process.stdout.write(`ACK ${result.ids.join(',')}\n`);
  }
}
