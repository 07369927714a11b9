/**
 * Child process for the restore crash tests: restores `backup` into `db` (data directory `dataDir`,
 * installing the salt in `saltFile`) and kills itself with SIGKILL at the point `step` of the
 * switch (restore-switch.ts), so nothing of its own clean-up runs; prints `DONE` if it never got
 * there.
 */
import fs from 'node:fs';
import { restoreDatabase } from '../store/sqlite/backup.js';

const [backup, db, dataDir, saltFile, step] = process.argv.slice(2);
if (!backup || !db || !dataDir || !saltFile || !step) throw new Error('usage: restore-child <backup> <db> <dataDir> <saltFile> <step>');
restoreDatabase(backup, db, {
  dataDir,
  salt: fs.readFileSync(saltFile, 'utf8').trim(),
  onSwitchStep: (at) => {
    if (at !== step) return;
    process.kill(process.pid, 'SIGKILL');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  },
});
fs.writeSync(1, 'DONE\n');
