import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestName, editDistance } from './suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('', ''), 0);
    assert.equal(editDistance('abc', ''), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3); // k→s, e→i, +g
    assert.equal(editDistance('limit', 'limt'), 1);
    assert.equal(editDistance('time_window', 'time_window_hours'), 6);
  });
});

describe('closestName', () => {
  const args = ['limit', 'time_window_hours', 'skill_name', 'min_support'];
  it('finds a misspelling within max(2, length/3) edits', () => {
    assert.equal(closestName('limt', args), 'limit');
    assert.equal(closestName('skil_nme', args), 'skill_name');
    assert.equal(closestName('Skill_Name', args), 'skill_name');
  });
  it('finds a name that contains the typed one', () => {
    assert.equal(closestName('time_window', args), 'time_window_hours');
    assert.equal(closestName('support', args), 'min_support');
  });
  it('suggests nothing when nothing is close', () => {
    assert.equal(closestName('colour', args), undefined);
    assert.equal(closestName('x', args), undefined);
    assert.equal(closestName('lim', ['limit', 'line']), 'limit'); // distance 2 vs 2: the earlier wins
  });
});
