/** Worker thread entry: scans transcript byte ranges (transcript-scan.ts) on request. */
import { parentPort } from 'node:worker_threads';
import { scanRange, type ScanRequest } from './transcript-scan.js';

parentPort?.on('message', (msg: { id: number; req: ScanRequest }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: scanRange(msg.req) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    parentPort!.postMessage({ id: msg.id, error: { message: e.message, code: e.code ?? null } });
  }
});
