/**
 * Worker-thread entry. For each message `{ id, source, query, options }` it
 * trains and replies `{ id, ok: true, run }` or `{ id, ok: false, error }`
 * (the error as plain data). `source` is either `{ dbFile }`: the sample is
 * read through the worker's own read-only connection to that SQLite file
 * (opened per request: ~1 ms), or `{ samples, queryMs }`: a sample the main
 * thread already read (from a networked store).
 */
import { parentPort } from 'node:worker_threads';
import type { TrainOptions } from '../analytics/prediction.js';
import { toAppError } from '../errors.js';
import { openDatabase } from '../store/database.js';
import type { SampleQuery } from '../store/model-types.js';
import { SqliteModelStore } from '../store/sqlite/model-store.js';
import { trainOnSamples, type SampledTraining } from './sample-and-train.js';
import type { TrainingSource } from './training-worker.js';

interface TrainRequest {
  id: number;
  source: TrainingSource;
  query: SampleQuery;
  options: TrainOptions;
}

function run({ source, query, options }: TrainRequest): SampledTraining {
  if ('samples' in source) return trainOnSamples(source.samples, source.queryMs, options);
  const db = openDatabase(source.dbFile, { readonly: true });
  try {
    const t = performance.now();
    const read = new SqliteModelStore(db).trainingSamplesSync(query);
    return trainOnSamples(read, performance.now() - t, options);
  } finally {
    db.close();
  }
}

parentPort!.on('message', (req: TrainRequest) => {
  try {
    parentPort!.postMessage({ id: req.id, ok: true, run: run(req) });
  } catch (err) {
    const e = toAppError(err);
    parentPort!.postMessage({ id: req.id, ok: false, error: { code: e.code, message: e.message, details: e.details } });
  }
});
