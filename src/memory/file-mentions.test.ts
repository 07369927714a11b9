import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mentionedFiles, normaliseFiles } from './file-mentions.js';

describe('file mentions', () => {
  it('finds paths with a slash and an extension, and bare names with a source extension', () => {
    assert.deepEqual(
      mentionedFiles(
        'Fixed `src/store/migrator.ts` and README.md. See ./bin/run.js, (lib/a.b.c.py) e.g. v1.2 or https://x.io/a.js; then app.ts: done. foo.exe stays out',
      ),
      ['src/store/migrator.ts', 'README.md', './bin/run.js', 'lib/a.b.c.py', 'app.ts'],
    );
    assert.deepEqual(mentionedFiles('no paths here, version 2.0 and e.g. that'), []);
  });

  it('normalises given paths', () => {
    assert.deepEqual(normaliseFiles([' a.ts ', 'a.ts', '', 3, 'x\u0007y', 'b/c.md']), ['a.ts', 'b/c.md']);
  });
});
