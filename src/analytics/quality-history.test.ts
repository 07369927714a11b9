import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeQualityHistory, qualityHistory } from './quality-history.js';

describe('quality history', () => {
  it('trend, sparkline and the dimension that moved most (hand-computed)', () => {
    const h = qualityHistory([
      { at: 't1', total: 60, dimensions: { tests: 40, lint: 80, docs: null } },
      { at: 't2', total: null, dimensions: { tests: null, lint: null } },
      { at: 't3', total: 70, dimensions: { tests: 50, lint: 70, docs: 10 } },
      { at: 't4', total: 67.5, dimensions: { tests: 65, lint: 60, docs: 10 } },
    ]);
    assert.equal(h.change, 7.5);
    assert.equal(h.direction, 'up');
    // 60 → ▁ (0/10), 70 → █ (7), 67.5 → (7.5/10)*7 = 5.25 → 5 → ▆
    assert.equal(h.sparkline, '▁█▆');
    // tests 40 → 65 (+25) beats lint 80 → 60 (-20); docs did not move
    assert.deepEqual(h.mostMoved, { id: 'tests', from: 40, to: 65, delta: 25 });
    assert.equal(describeQualityHistory(h), '60 → 67.5 (+7.5 over 4 checkpoints) ▁█▆; most moved: tests +25 (40 → 65)');
  });

  it('one or no measured point: no change, no movement', () => {
    assert.deepEqual(qualityHistory([]), { points: [], change: null, direction: 'unknown', sparkline: '', mostMoved: null });
    const one = qualityHistory([{ at: 't1', total: 50, dimensions: { tests: 20 } }]);
    assert.equal(one.change, null);
    assert.equal(one.sparkline, '▄');
    assert.equal(one.mostMoved, null);
    assert.equal(describeQualityHistory(one), '50 (1 checkpoint)');
    assert.equal(describeQualityHistory(qualityHistory([])), 'no checkpoint has measured this project yet');
  });

  it('a fall is "down"', () => {
    const h = qualityHistory([
      { at: 'a', total: 80, dimensions: {} },
      { at: 'b', total: 79.96, dimensions: {} },
    ]);
    assert.ok(Object.is(h.change, 0));
    assert.equal(h.direction, 'flat');
    const d = qualityHistory([
      { at: 'a', total: 80, dimensions: {} },
      { at: 'b', total: 72, dimensions: {} },
    ]);
    assert.equal(d.direction, 'down');
    assert.equal(d.change, -8);
  });
});
