import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { removeDir, tempDir, writeFiles } from '../fixture-projects.js';
import { scanForSecrets, scanText } from './secrets.js';

// Secret-shaped strings are assembled at run time so this file itself stays clean.
const PEM = ['-----BEGIN ', 'RSA PRIVATE KEY-----'].join('');
const SLACK = ['xox', 'b-1234567890-abcdefghij'].join('');
const PASSWORD_LINE = ['const password', ' = "s3cr3t-value-long-enough-1";'].join('');

describe('scanText', () => {
  it('reports line and kind, one finding per line', () => {
    const text = `a\n${PEM}\n${PASSWORD_LINE}\n${SLACK}\n`;
    assert.deepEqual(scanText(text, 'f'), [
      { file: 'f', line: 2, kind: 'private key' },
      { file: 'f', line: 3, kind: 'hard-coded credential' },
      { file: 'f', line: 4, kind: 'Slack token' },
    ]);
  });
  it('ignores placeholders and short values', () => {
    assert.deepEqual(scanText('api_key = "your-api-key-here-1234"\npassword = "short"\nsecret: "${SECRET_FROM_ENV_VAR}"', 'f'), []);
  });
});

describe('scanForSecrets', () => {
  it('skips binaries, lockfiles, large files and dependency dirs; honours the file cap', async () => {
    const root = tempDir('scan');
    try {
      writeFiles(root, {
        'a.txt': `${PEM}\n`,
        'b.txt': 'clean\n',
        'c.txt': 'clean\n',
        'package-lock.json': `${PEM}\n`,
        'node_modules/x/index.js': `${PEM}\n`,
        'img.png': 'x',
      });
      fs.writeFileSync(`${root}/bin.dat`, Buffer.from([1, 0, 2, 3]));
      fs.writeFileSync(`${root}/big.txt`, 'x'.repeat(1024 * 1024 + 1));
      const files = ['a.txt', 'b.txt', 'c.txt', 'package-lock.json', 'node_modules/x/index.js', 'img.png', 'bin.dat', 'big.txt'];
      const all = await scanForSecrets(root, files);
      assert.deepEqual(all.findings, [{ file: 'a.txt', line: 1, kind: 'private key' }]);
      assert.equal(all.scanned, 3);
      assert.deepEqual(all.skipped, { binary: 2, large: 1, lockfile: 1, excludedDir: 1, unreadable: 0 });
      const capped = await scanForSecrets(root, ['b.txt', 'c.txt', 'a.txt'], { maxFiles: 2 });
      assert.equal(capped.scanned, 2);
      assert.equal(capped.notScannedDueToCap, 1);
      assert.deepEqual(capped.findings, []);
    } finally {
      removeDir(root);
    }
  });
});
