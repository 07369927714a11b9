import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roundCoef, roundMs, roundPValue, roundRate, roundScore, roundTo } from './round.js';

describe('round', () => {
  it('rounds half away from zero, including values stored just below the half', () => {
    assert.equal(roundTo(1.005, 2), 1.01);
    assert.equal(roundTo(-1.005, 2), -1.01);
    assert.equal(roundTo(2.5, 0), 3);
    assert.equal(roundTo(-2.5, 0), -3);
  });

  it('never returns negative zero and passes non-finite values through', () => {
    assert.ok(Object.is(roundTo(-0.00001, 2), 0));
    assert.equal(roundTo(Infinity, 2), Infinity);
  });

  it('applies the per-kind precisions and keeps null', () => {
    assert.equal(roundRate(2 / 3), 0.6667);
    assert.equal(roundMs(123.456), 123.5);
    assert.equal(roundScore(-4.47213), -4.47);
    assert.equal(roundCoef(0.1234567), 0.123457);
    assert.equal(roundPValue(0.000012346), 0.00001235);
    assert.equal(roundPValue(0), 0);
    assert.equal(roundRate(null), null);
  });
});
