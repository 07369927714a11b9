import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isPseudoFsPath, readBounded, readBoundedSync } from './bounded-read.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bounded-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bounded reads', () => {
  it('reads at most maxBytes and says when the file holds more', async () => {
    const f = path.join(dir, 'ten');
    fs.writeFileSync(f, '0123456789');
    assert.deepEqual(readBoundedSync(f, 4), { buf: Buffer.from('0123'), truncated: true });
    assert.deepEqual(readBoundedSync(f, 10), { buf: Buffer.from('0123456789'), truncated: false });
    assert.deepEqual(await readBounded(f, 4), { buf: Buffer.from('0123'), truncated: true });
  });

  it('refuses FIFOs without blocking, directories, and files on another device', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    assert.equal(readBoundedSync(fifo, 10), null);
    assert.equal(await readBounded(fifo, 10), null);
    assert.equal(readBoundedSync(dir, 10), null);
    const f = path.join(dir, 'x');
    fs.writeFileSync(f, 'x');
    const dev = fs.statSync(f).dev;
    assert.deepEqual(readBoundedSync(f, 10, dev)?.buf, Buffer.from('x'));
    assert.equal(readBoundedSync(f, 10, dev + 1), null);
  });

  it('never reads from /proc, /sys or /dev, even through a symlink', async () => {
    assert.equal(isPseudoFsPath('/proc/self/status'), true);
    assert.equal(isPseudoFsPath('/process/x'), false);
    assert.equal(readBoundedSync('/proc/self/status', 100), null);
    const link = path.join(dir, 'status-link');
    fs.symlinkSync('/proc/self/status', link);
    // the link itself is in the project; the device check stops it
    assert.equal(readBoundedSync(link, 100, fs.statSync(dir).dev), null);
    assert.equal(await readBounded(link, 100, fs.statSync(dir).dev), null);
  });
});
