/**
 * Worker thread entry: given the import's ranges once (transcript-scan-pool.ts), claims them one at
 * a time (scan-claims.ts) and scans each (and a file read in one range, pairs it), answering each
 * with its index. It runs until no range is left, waiting while it is too far ahead of the importing
 * thread.
 */
import { parentPort } from 'node:worker_threads';
import { AHEAD, Claims, DONE } from './scan-claims.js';
import { ScanBuffer, scanRange } from './transcript-scan.js';
import { scanAndPair } from './transcript-scan-pair.js';
import type { Reply, WorkerInit } from './transcript-scan-pool.js';

/** How long one wait for the importing thread lasts before the claims are looked at again. */
const WAIT_MS = 100;

parentPort?.once('message', (init: WorkerInit) => {
  const claims = new Claims(init.board);
  /** This thread's read buffer, kept from one range to the next. */
  const scratch = new ScanBuffer();
  const post = (reply: Reply) => parentPort!.postMessage(reply);
  for (;;) {
    const i = claims.claim(init.owner);
    if (i === DONE) return;
    if (i === AHEAD) {
      claims.waitForConsumed(WAIT_MS);
      continue;
    }
    const { req, pair } = init.ranges[i]!;
    try {
      // A paired file's result (invocations, cost rows: plain JSON values, numbers all finite) goes as
      // JSON text: the importing thread parses it in less than half the time it takes to rebuild the
      // same objects from a structured clone. Events (which may hold NaN times) go as they are.
      if (pair) post({ i, json: JSON.stringify(scanAndPair(req, pair, scratch)) });
      else post({ i, result: scanRange(req, scratch) });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      post({ i, error: { message: e.message, code: e.code ?? null } });
    }
  }
});
