/**
 * Worker-thread entry. For each message `{ id, dbFile, query, options }` it
 * reads the training sample through its own read-only connection to the
 * database file (opened per request: ~1 ms), trains, and replies
 * `{ id, ok: true, run }` or `{ id, ok: false, error }` (the error as plain data).
 */
import { parentPort } from 'node:worker_threads';
import type { TrainOptions } from '../analytics/prediction.js';
import { toAppError } from '../errors.js';
import { openDatabase } from '../store/database.js';
import { ModelStore, type SampleQuery } from '../store/sqlite/model-store.js';
import { sampleAndTrain } from './sample-and-train.js';

interface TrainRequest {
  id: number;
  dbFile: string;
  query: SampleQuery;
  options: TrainOptions;
}

parentPort!.on('message', ({ id, dbFile, query, options }: TrainRequest) => {
  try {
    const db = openDatabase(dbFile, { readonly: true });
    try {
      parentPort!.postMessage({ id, ok: true, run: sampleAndTrain(new ModelStore(db), query, options) });
    } finally {
      db.close();
    }
  } catch (err) {
    const e = toAppError(err);
    parentPort!.postMessage({ id, ok: false, error: { code: e.code, message: e.message, details: e.details } });
  }
});
