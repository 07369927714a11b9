/** Worker thread entry: scans (and for a file read in one range, pairs) transcript byte ranges on request. */
import { parentPort } from 'node:worker_threads';
import { ScanBuffer, scanRange, type ScanRequest } from './transcript-scan.js';
import { type PairRequest, scanAndPair } from './transcript-scan-pair.js';

/** This thread's read buffer, kept from one range to the next. */
const scratch = new ScanBuffer();

parentPort?.on('message', (msg: { id: number; req: ScanRequest; pair?: PairRequest }) => {
  try {
    // A paired file's result (invocations, cost rows: plain JSON values, numbers all finite) goes as
    // JSON text: the importing thread parses it in less than half the time it takes to rebuild the
    // same objects from a structured clone. Events (which may hold NaN times) go as they are.
    if (msg.pair) parentPort!.postMessage({ id: msg.id, json: JSON.stringify(scanAndPair(msg.req, msg.pair, scratch)) });
    else parentPort!.postMessage({ id: msg.id, result: scanRange(msg.req, scratch) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    parentPort!.postMessage({ id: msg.id, error: { message: e.message, code: e.code ?? null } });
  }
});
