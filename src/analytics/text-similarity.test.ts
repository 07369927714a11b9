import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jaccard, wordSet } from './text-similarity.js';

describe('text similarity', () => {
  it('words: letters and digits, lower-cased, NFKC', () => {
    assert.deepEqual([...wordSet('Use WAL-mode, for SQLite3!  use ﬁles')], ['use', 'wal', 'mode', 'for', 'sqlite3', 'files']);
  });

  it('Jaccard index of the word sets (hand-computed)', () => {
    // {a,b,c,d} vs {a,b,c,e}: 3 shared of 5 distinct = 0.6
    assert.equal(jaccard(wordSet('a b c d'), wordSet('c b a e')), 0.6);
    // 8 shared of 9 distinct
    assert.equal(
      jaccard(wordSet('run the migrations before the tests on the ci box'), wordSet('Run the migrations before tests on the CI box, always')),
      8 / 9,
    );
    assert.equal(jaccard(wordSet('x'), wordSet('y')), 0);
    assert.equal(jaccard(wordSet(''), wordSet('...')), 1);
  });
});
