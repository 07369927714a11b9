/**
 * Child process for the archive crash tests: archives rows older than
 * `before` in files of `perFile` rows. With `stallAt` N it prints `READY`
 * when the N-th file is complete and in place (before its rows are deleted)
 * and stalls there, so the parent can SIGKILL it at exactly that point;
 * otherwise it prints `FILE` after each file and `DONE` at the end.
 */
import fs from 'node:fs';
import { archiveInvocations } from '../store/sqlite/archive.js';
import { openDatabase } from '../store/database.js';

const [dataDir, dbPath, before, perFile, stallAt] = process.argv.slice(2);
if (!dataDir || !dbPath || !before || !perFile) throw new Error('usage: archive-child <dataDir> <db> <before> <perFile> [stallAt]');
const db = openDatabase(dbPath);
let ready = 0;
await archiveInvocations({
  db,
  dataDir,
  before: Number(before),
  rowsPerFile: Number(perFile),
  onFileReady: () => {
    ready++;
    if (stallAt && ready === Number(stallAt)) {
      fs.writeSync(1, 'READY\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    }
  },
  onProgress: () => fs.writeSync(1, 'FILE\n'),
});
fs.writeSync(1, 'DONE\n');
db.close();
