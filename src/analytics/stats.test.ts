import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { momentsFromSums, regularizedIncompleteBeta, studentTTwoSidedP, welchTTest } from './stats.js';

describe('stats', () => {
  it('derives mean and sample variance from sums', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7.
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    const sum = xs.reduce((a, b) => a + b, 0);
    const sq = xs.reduce((a, b) => a + b * b, 0);
    const m = momentsFromSums(xs.length, sum, sq);
    assert.equal(m.mean, 5);
    assert.ok(Math.abs(m.variance - 32 / 7) < 1e-12);
  });

  it('computes the regularised incomplete beta at known points', () => {
    // I_x(1,1) = x; I_0.5(a,a) = 0.5.
    assert.ok(Math.abs(regularizedIncompleteBeta(0.3, 1, 1) - 0.3) < 1e-12);
    assert.ok(Math.abs(regularizedIncompleteBeta(0.5, 3.5, 3.5) - 0.5) < 1e-12);
  });

  it('gives textbook two-sided t p-values', () => {
    // t = 2.228 with 10 df is the 97.5th percentile: p = 0.05.
    assert.ok(Math.abs(studentTTwoSidedP(2.228, 10) - 0.05) < 1e-3);
    // t = 1.96 with huge df approaches the normal: p ≈ 0.05.
    assert.ok(Math.abs(studentTTwoSidedP(1.96, 1e6) - 0.05) < 1e-3);
    assert.equal(studentTTwoSidedP(0, 5), 1);
  });

  it('runs Welch t-test with Welch–Satterthwaite degrees of freedom', () => {
    // a: n=10 mean 20 var 4; b: n=10 mean 18 var 9 → t = 2/sqrt(1.3) = 1.7541, df = 1.69/(0.16/9 + 0.81/9) = 15.68
    const r = welchTTest({ n: 10, mean: 20, variance: 4 }, { n: 10, mean: 18, variance: 9 })!;
    assert.ok(Math.abs(r.t - 2 / Math.sqrt(1.3)) < 1e-9);
    assert.ok(Math.abs(r.df - 1.69 / (0.97 / 9)) < 1e-9);
    assert.ok(r.pValue > 0.09 && r.pValue < 0.11);
    assert.equal(welchTTest({ n: 1, mean: 1, variance: 0 }, { n: 5, mean: 1, variance: 1 }), null);
  });
});
