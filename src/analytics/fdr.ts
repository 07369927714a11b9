/**
 * Multiple-testing control for one detection run: every skill × metric z test
 * of a run is one hypothesis, and the Benjamini–Hochberg step-up procedure
 * keeps the expected share of false discoveries among the reported ones at
 * most q (for independent or positively dependent tests). When no skill
 * changed at all, that is also the chance that a run reports anything.
 */
import { regularizedIncompleteBeta } from './stats.js';

/**
 * Two-sided p-value of a standard normal z: 2 · (1 − Φ(|z|)) = erfc(|z| / √2).
 * erfc by the Chebyshev fit of Numerical Recipes (erfcc, fractional error
 * below 1.2e-7 everywhere), so tiny p-values keep their relative precision.
 */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) return 1;
  const x = Math.abs(z) / Math.SQRT2;
  if (!Number.isFinite(x)) return 0;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.min(1, t * Math.exp(poly));
}

/**
 * Exact two-sided binomial p-value of k successes in n trials when the
 * success probability is p: 2 · min(P(X ≤ k), P(X ≥ k)), capped at 1 (the
 * doubling rule). Tails through the regularised incomplete beta function:
 * P(X ≤ k) = I_{1−p}(n − k, k + 1), P(X ≥ k) = I_p(k, n − k + 1).
 */
export function binomialTwoSidedP(k: number, n: number, p: number): number {
  if (n <= 0) return 1;
  const lower = k >= n ? 1 : regularizedIncompleteBeta(1 - p, n - k, k + 1);
  const upper = k <= 0 ? 1 : regularizedIncompleteBeta(p, k, n - k + 1);
  return Math.min(1, 2 * Math.min(lower, upper));
}

/** Two-sided p-value of a t statistic with df degrees of freedom (Student). */
export { studentTTwoSidedP } from './stats.js';

export interface BhResult {
  /** Per input, whether it is a discovery at level q. */
  rejected: boolean[];
  /** Per input, the BH-adjusted p-value (the smallest q at which it would be rejected), capped at 1. */
  adjusted: number[];
  /** Largest raw p-value rejected (0 when none is). */
  cutoff: number;
}

/**
 * Benjamini–Hochberg at level q over m p-values: sort ascending
 * p(1) ≤ … ≤ p(m), find the largest k with p(k) ≤ k · q / m, and reject the
 * hypotheses of p(1) … p(k). Adjusted p(i) = min over j ≥ i of m · p(j) / j.
 */
export function benjaminiHochberg(pValues: readonly number[], q: number): BhResult {
  if (!(q > 0 && q < 1)) throw new RangeError('q must be in (0, 1)');
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p: Number.isNaN(p) ? 1 : p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  let k = 0;
  for (let r = 1; r <= m; r++) if (order[r - 1]!.p <= (r * q) / m) k = r;
  const rejected = new Array<boolean>(m).fill(false);
  const adjusted = new Array<number>(m).fill(1);
  let running = 1;
  for (let r = m; r >= 1; r--) {
    const { p, i } = order[r - 1]!;
    running = Math.min(running, (m * p) / r);
    adjusted[i] = Math.min(1, running);
    rejected[i] = r <= k;
  }
  return { rejected, adjusted, cutoff: k > 0 ? order[k - 1]!.p : 0 };
}
