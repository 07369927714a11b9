import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { openDatabase } from '../database.js';
import { verifyRollups } from './rollup-check.js';

const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../testing/ingest-child.ts');
const ROUNDS = 8;

/** Runs the ingesting child, kills it with SIGKILL after `killAfterMs`, returns the acknowledged ids. */
function runAndKill(dataDir: string, seed: number, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    const acked: string[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === 'READY') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (line.startsWith('ACK ')) acked.push(...line.slice(4).split(','));
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited without being killed: ${stderr}`));
      // Only complete lines count: a partly written ACK line was never acknowledged.
      else resolve(acked);
    });
  });
}

describe('crash safety', () => {
  it('keeps every acknowledged invocation and consistent rollups across repeated SIGKILLs', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-crash-'));
    try {
      const acked: string[] = [];
      let rand = 12345;
      for (let round = 0; round < ROUNDS; round++) {
        rand = (rand * 1103515245 + 12345) % 2 ** 31;
        const killAfter = 50 + (rand % 700);
        acked.push(...(await runAndKill(dir, round + 1, killAfter)));
      }
      assert.ok(acked.length > 100, `only ${acked.length} invocations were acknowledged`);

      const db = openDatabase(path.join(dir, 'session-buddy.db'));
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        const present = db.prepare('SELECT count(*) FROM skill_invocations WHERE id IN (SELECT value FROM json_each(?))').pluck();
        let found = 0;
        for (let i = 0; i < acked.length; i += 500) found += present.get(JSON.stringify(acked.slice(i, i + 500))) as number;
        assert.equal(found, acked.length, 'an acknowledged invocation is missing');
        assert.deepEqual(verifyRollups(db), []);
        t.diagnostic(`${ROUNDS} SIGKILLs, ${acked.length} acknowledged invocations checked, 0 missing`);
      } finally {
        db.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
