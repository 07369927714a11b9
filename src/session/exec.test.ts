import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstLine, runCommand } from './exec.js';

describe('runCommand', () => {
  it('returns stdout of a successful command', async () => {
    const r = await runCommand(process.execPath, ['-e', 'process.stdout.write("ok")'], { cwd: '.' });
    assert.deepEqual([r.ok, r.code, r.stdout, r.timedOut, r.error], [true, 0, 'ok', false, null]);
  });
  it('reports a non-zero exit without throwing', async () => {
    const r = await runCommand(process.execPath, ['-e', 'console.error("bad"); process.exit(3)'], { cwd: '.' });
    assert.equal(r.ok, false);
    assert.equal(r.code, 3);
    assert.equal(firstLine(r), 'bad');
  });
  it('reports a missing program as ENOENT', async () => {
    const r = await runCommand('definitely-not-a-program-sb', [], { cwd: '.' });
    assert.equal(r.error, 'ENOENT');
  });
  it('kills a command that exceeds its timeout', async () => {
    const r = await runCommand(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { cwd: '.', timeoutMs: 200 });
    assert.equal(r.timedOut, true);
    assert.equal(r.error, 'timed out after 200 ms');
  });
});
