/**
 * Child process for the backup crash test: backs up a database of about
 * 24 MiB and, at the first progress report, prints `COPYING` and stalls so
 * the parent can SIGKILL it with the copy half-written.
 */
import fs from 'node:fs';
import { backupDatabase } from '../store/sqlite/backup.js';
import { openDatabase } from '../store/database.js';

const [source, dest] = process.argv.slice(2);
if (!source || !dest) throw new Error('usage: backup-child <source.db> <dest.db>');
const db = openDatabase(source);
await backupDatabase(db, dest, (fraction) => {
  if (fraction >= 1) return;
  fs.writeSync(1, 'COPYING\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
});
fs.writeSync(1, 'DONE\n');
