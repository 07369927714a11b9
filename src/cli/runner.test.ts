/**
 * runCli's exit codes: a command stopped by Ctrl-C at a consistent point
 * (AppError INTERRUPTED, e.g. seed-demo after its batch in flight) exits 130,
 * as a shell reports a process ended by SIGINT, with its message on stderr.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { AppError } from '../errors.js';
import { createCliContext } from './context.js';
import { runCli } from './runner.js';

function context() {
  const err: string[] = [];
  const ctx = createCliContext({
    env: {},
    cwd: '/',
    stdout: { write: () => true },
    stderr: { write: (s: string) => err.push(s) },
    stdin: process.stdin,
    binPath: '/nonexistent',
  });
  return { ctx, err };
}

describe('runCli', () => {
  it('exits 130 for an interrupted command, and says what it did', async () => {
    const { ctx, err } = context();
    const program = new Command().exitOverride();
    program.command('work').action(() => {
      throw new AppError('INTERRUPTED', 'interrupted: 2 of 5 done; run it again for the rest');
    });
    assert.equal(await runCli(['work'], ctx, program), 130);
    assert.deepEqual(err, ['error: interrupted: 2 of 5 done; run it again for the rest\n']);
  });
});
