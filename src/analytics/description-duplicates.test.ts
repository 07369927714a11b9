import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descriptionSimilarity, nearDuplicates, wordShingles } from './description-duplicates.js';

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
