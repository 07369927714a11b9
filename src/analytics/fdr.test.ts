import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benjaminiHochberg, binomialTwoSidedP, normalTwoSidedP, studentTTwoSidedP } from './fdr.js';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('normalTwoSidedP', () => {
  it('matches tabulated normal tails', () => {
    close(normalTwoSidedP(0), 1, 1e-7);
    close(normalTwoSidedP(1.959964), 0.05, 1e-7); // the 97.5 % quantile
    close(normalTwoSidedP(-2.575829), 0.01, 1e-7);
    close(normalTwoSidedP(3), 0.0026997961, 1e-9);
    // Far tail: 2 · (1 − Φ(6)) = 1.973175e-9, relative precision kept.
    close(normalTwoSidedP(6) / 1.9731752898e-9, 1, 1e-6);
    assert.equal(normalTwoSidedP(Infinity), 0);
    assert.equal(normalTwoSidedP(NaN), 1);
  });
});

describe('binomialTwoSidedP and studentTTwoSidedP', () => {
  it('match hand-computed tails', () => {
    // 5 of 10 at p = 0.95: P(X ≤ 5) = Σ_{k=0..5} C(10,k) 0.95^k 0.05^(10−k)
    //   = 6.0935e-5 (k=5: 252 · 0.77378 · 3.125e-7) + 2.6792e-6 (k=4) + 8.3e-8 + … = 6.3690e-5; doubled 1.2738e-4.
    close(binomialTwoSidedP(5, 10, 0.95), 1.2737966e-4, 1e-10);
    // 2 of 2 at p = 0.5: P(X ≥ 2) = 0.25, doubled 0.5. 1 of 2: both tails 0.75 → capped at 1.
    close(binomialTwoSidedP(2, 2, 0.5), 0.5, 1e-12);
    assert.equal(binomialTwoSidedP(1, 2, 0.5), 1);
    // 0 of 3 at p = 0.9: P(X ≤ 0) = 0.1³ = 0.001, doubled 0.002.
    close(binomialTwoSidedP(0, 3, 0.9), 0.002, 1e-12);
    // Student t: the 97.5 % quantile for 9 df is 2.262 (tables), for 1 df 12.706.
    close(studentTTwoSidedP(2.2622, 9), 0.05, 1e-4);
    close(studentTTwoSidedP(12.706, 1), 0.05, 1e-4);
  });
});

describe('benjaminiHochberg', () => {
  it('rejects up to the largest k with p(k) <= k q / m (step-up, not step-down)', () => {
    // m = 5, q = 0.05: thresholds 0.01, 0.02, 0.03, 0.04, 0.05.
    // sorted p: 0.005 ≤ 0.01 ✓, 0.025 > 0.02 ✗, 0.028 ≤ 0.03 ✓, 0.2 ✗, 0.9 ✗ → k = 3:
    // the 0.025 that failed its own step is rejected too.
    const p = [0.9, 0.028, 0.005, 0.2, 0.025];
    const r = benjaminiHochberg(p, 0.05);
    assert.deepEqual(r.rejected, [false, true, true, false, true]);
    assert.equal(r.cutoff, 0.028);
    // adjusted: p(5)=0.9 → 0.9; p(4)=0.2·5/4=0.25; p(3)=0.028·5/3=0.046667; p(2)=min(0.025·5/2=0.0625, 0.046667);
    // p(1)=0.005·5=0.025.
    const adj = r.adjusted;
    close(adj[0]!, 0.9, 1e-12);
    close(adj[1]!, (0.028 * 5) / 3, 1e-12);
    close(adj[2]!, 0.025, 1e-12);
    close(adj[3]!, 0.25, 1e-12);
    close(adj[4]!, (0.028 * 5) / 3, 1e-12);
  });

  it('rejects nothing when no p-value passes its step', () => {
    // m = 4, q = 0.05: 0.0125, 0.025, 0.0375, 0.05 against sorted 0.02, 0.03, 0.04, 0.06.
    const r = benjaminiHochberg([0.06, 0.02, 0.04, 0.03], 0.05);
    assert.deepEqual(r.rejected, [false, false, false, false]);
    assert.equal(r.cutoff, 0);
    // adjusted, from the largest: 0.06·4/4 = 0.06; 0.04·4/3 = 0.05333; 0.03·4/2 = 0.06 → 0.05333; 0.02·4/1 = 0.08 → 0.05333.
    close(r.adjusted[1]!, (0.04 * 4) / 3, 1e-12);
    close(r.adjusted[0]!, 0.06, 1e-12);
    close(r.adjusted[3]!, (0.04 * 4) / 3, 1e-12);
  });

  it('is stricter than one test alone: a p of 0.03 among 20 tests is no discovery, alone it is', () => {
    const many = [0.03, ...Array.from({ length: 19 }, () => 0.5)];
    assert.equal(benjaminiHochberg(many, 0.05).rejected[0], false); // needs ≤ 0.05 / 20 = 0.0025
    assert.equal(benjaminiHochberg([0.03], 0.05).rejected[0], true);
  });

  it('handles empty input and rejects a q outside (0, 1)', () => {
    assert.deepEqual(benjaminiHochberg([], 0.05), { rejected: [], adjusted: [], cutoff: 0 });
    assert.throws(() => benjaminiHochberg([0.1], 0), RangeError);
    assert.throws(() => benjaminiHochberg([0.1], 1), RangeError);
  });
});
