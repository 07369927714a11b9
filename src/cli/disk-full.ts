import { AppError, toAppError } from '../errors.js';

/**
 * The error a command that writes in batches stops with. Each batch is committed (and, for an
 * import, its cursors saved) as it goes, so a full disk does not mean that nothing was written:
 * `kept` says what stays, and a re-run continues (dedupe keys skip what is in already). Other
 * errors pass through unchanged.
 */
export function batchedWriteError(err: unknown, dataDir: string, rerun: string, kept: string): unknown {
  const e = toAppError(err, { dataDir });
  if (e.code !== 'DISK_FULL') return err;
  return new AppError('DISK_FULL', `disk full: free space on the data directory's file system, then ${rerun}: ${kept}`, {}, { cause: err });
}
