import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descriptionSimilarity, nearDuplicates, wordShingles } from './description-duplicates.js';
import { mulberry32 } from './prng.js';

test('wordShingles: adjacent word pairs, case and punctuation ignored', () => {
  assert.deepEqual([...wordShingles('Review the CODE, carefully!')], ['review the', 'the code', 'code carefully']);
  assert.deepEqual([...wordShingles('Deploy')], ['deploy']);
  assert.deepEqual([...wordShingles(' -- ')], []);
});

test('descriptionSimilarity: hand-computed Jaccard of 2-shingles', () => {
  // a: {review code, code for, for bugs}; b: {review code, code for, for style}
  // shared 2, union 4 -> 0.5
  assert.equal(descriptionSimilarity('Review code for bugs', 'review code for style'), 0.5);
  // identical up to case and punctuation -> 1
  assert.equal(descriptionSimilarity('Run the tests.', 'run THE tests'), 1);
  // same words, different order: {a b, b c} vs {c b, b a} -> 0
  assert.equal(descriptionSimilarity('a b c', 'c b a'), 0);
  // empty never matches, not even another empty text
  assert.equal(descriptionSimilarity('', ''), 0);
});

test('nearDuplicates: pairs at or above the threshold, symmetric, others alone', () => {
  const texts = [
    'Review a pull request for bugs and style problems', // 0
    'Review a pull request for bugs and style issues', // 1: 7 of 8 shingles shared with 0, union 9 -> 7/9 = 0.78
    'Deploy the service to production', // 2
    '', // 3
    '', // 4
  ];
  assert.deepEqual(nearDuplicates(texts), [[1], [0], [], [], []]);
});

test('nearDuplicates: the threshold is inclusive', () => {
  // similarity exactly 0.5 (see above)
  const texts = ['Review code for bugs', 'review code for style'];
  assert.deepEqual(nearDuplicates(texts, 0.5), [[1], [0]]);
  assert.deepEqual(nearDuplicates(texts, 0.51), [[], []]);
});

test('nearDuplicates: the prefix filter finds exactly the pairs a comparison of every pair finds', () => {
  const rand = mulberry32(18);
  const vocabulary = ['review', 'code', 'tests', 'run', 'the', 'deploy', 'lint', 'fix', 'docs', 'write'];
  const texts = Array.from({ length: 120 }, () =>
    Array.from({ length: 1 + Math.floor(rand() * 6) }, () => vocabulary[Math.floor(rand() * vocabulary.length)]).join(' '),
  );
  for (const t of [0.3, 0.5, 0.6, 0.9, 1]) {
    const everyPair = texts.map((_, i) => texts.flatMap((_, j) => (j !== i && descriptionSimilarity(texts[i]!, texts[j]!) >= t ? [j] : [])));
    const found = nearDuplicates(texts, t);
    assert.deepEqual(found, everyPair, `threshold ${t}`);
    assert.ok(
      found.some((l) => l.length > 0),
      `threshold ${t} has pairs to find`,
    );
  }
});
