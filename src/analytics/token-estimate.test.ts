import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateTokens } from './token-estimate.js';

test('estimateTokens: empty and blank text cost nothing', () => {
  assert.equal(estimateTokens(''), 0);
  assert.equal(estimateTokens(' \n\t '), 0);
});

test('estimateTokens: one token per 4 characters, rounded up', () => {
  assert.equal(estimateTokens('abcd'), 1);
  assert.equal(estimateTokens('abcde'), 2);
  // "review: Review code" = 19 characters -> 5 tokens
  assert.equal(estimateTokens('review: Review code'), 5);
});

test('estimateTokens: whitespace runs count as one space, ends trimmed', () => {
  // "a b" = 3 characters whatever the spacing -> 1 token
  assert.equal(estimateTokens('  a \n\n  b  '), 1);
  assert.equal(estimateTokens('a b c d e'), 3); // 9 characters
});

test('estimateTokens: counts code points, not UTF-16 units', () => {
  // four emoji are 4 code points (8 UTF-16 units) -> 1 token
  assert.equal(estimateTokens('😀😀😀😀'), 1);
});
