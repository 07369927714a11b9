/** Worker thread entry: scans transcript byte ranges (transcript-scan.ts) on request. */
import { parentPort } from 'node:worker_threads';
import { ScanBuffer, scanRange, type ScanRequest } from './transcript-scan.js';

/** This thread's read buffer, kept from one range to the next. */
const scratch = new ScanBuffer();

parentPort?.on('message', (msg: { id: number; req: ScanRequest }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: scanRange(msg.req, scratch) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    parentPort!.postMessage({ id: msg.id, error: { message: e.message, code: e.code ?? null } });
  }
});
