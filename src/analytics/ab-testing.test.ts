import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { assignVariant, assignmentPoint, experimentResults, validateExperiment } from './ab-testing.js';

const close = (actual: number | null, expected: number, tol = 1e-12): void =>
  assert.ok(actual !== null && Math.abs(actual - expected) < tol, `${actual} != ${expected}`);

describe('assignVariant', () => {
  it('reads the first 8 hash bytes as a fraction of 2^64', () => {
    const hex = createHash('sha256').update('exp:user-1').digest('hex');
    // First 16 hex digits = 8 bytes; dividing by 16^16 = 2^64.
    const expected = Number(BigInt(`0x${hex.slice(0, 16)}`)) / 2 ** 64;
    close(assignmentPoint('exp', 'user-1'), expected, 1e-15);
    assert.equal(assignVariant('exp', 'user-1', ['a', 'b'], [0.5, 0.5]), expected < 0.5 ? 'a' : 'b');
  });

  it('is stable and follows the split on 10,000 users (±2%)', () => {
    const variants = ['control', 'a', 'b'];
    const split = [0.5, 0.3, 0.2];
    const counts = new Map<string, number>();
    let moved = 0;
    for (let i = 0; i < 10_000; i++) {
      const user = `user-${i}`;
      const v = assignVariant('checkout-copy', user, variants, split);
      assert.equal(assignVariant('checkout-copy', user, variants, split), v);
      counts.set(v, (counts.get(v) ?? 0) + 1);
      if (assignVariant('other-experiment', user, variants, split) !== v) moved += 1;
    }
    variants.forEach((v, i) => {
      const share = (counts.get(v) ?? 0) / 10_000;
      assert.ok(Math.abs(share - split[i]!) <= 0.02, `${v}: ${share}`);
    });
    // Independent experiments reshuffle users: P(same) = 0.5² + 0.3² + 0.2² = 0.38, so ~62% move.
    assert.ok(moved > 5_000);
  });

  it('never picks a zero-weight variant', () => {
    for (let i = 0; i < 200; i++) {
      assert.equal(assignVariant('e', `u${i}`, ['a', 'b', 'c'], [0, 1, 0]), 'b');
    }
  });
});

describe('validateExperiment', () => {
  const bad = (variants: string[], traffic_split: number[], field: string): void =>
    assert.throws(
      () => validateExperiment({ variants, traffic_split }),
      (err: unknown) => {
        const e = err as { code: string; details: { field: string } };
        return e.code === 'INVALID_INPUT' && e.details.field === field;
      },
    );

  it('accepts a proper definition', () => {
    validateExperiment({ variants: ['a', 'b', 'c'], traffic_split: [1 / 3, 1 / 3, 1 / 3] });
  });

  it('names the offending field', () => {
    bad(['a'], [1], 'variants');
    bad(['a', 'a'], [0.5, 0.5], 'variants.1');
    bad(['a', ''], [0.5, 0.5], 'variants.1');
    bad(['a', 'b'], [1], 'traffic_split');
    bad(['a', 'b'], [1.5, -0.5], 'traffic_split.1');
    bad(['a', 'b'], [0.5, 0.4], 'traffic_split');
  });
});

describe('experimentResults', () => {
  // control 1..5: mean 3, sample variance (4+1+0+1+4)/4 = 2.5.
  // a 3..7: mean 5, variance 2.5. Welch: se² = 2.5/5 + 2.5/5 = 1, t = (5-3)/1 = 2,
  //   df = 1² / ((0.5²)/4 + (0.5²)/4) = 1 / 0.125 = 8, two-sided p(t=2, df=8) = 0.0805.
  // b 11..15: mean 13, variance 2.5, t = 10, df = 8, p ≈ 8.5e-6.
  const flat = (variant: string, values: number[]) => values.map((value) => ({ variant, value }));
  const control = flat('control', [1, 2, 3, 4, 5]);
  const a = flat('a', [3, 4, 5, 6, 7]);
  const b = flat('b', [11, 12, 13, 14, 15]);

  it('summarises variants and compares to the control', () => {
    const r = experimentResults({ outcomes: [...control, ...a], variants: ['control', 'a'], minSampleSize: 5, alpha: 0.1 });
    assert.equal(r.control, 'control');
    assert.equal(r.variants[0]!.n, 5);
    close(r.variants[0]!.mean, 3);
    close(r.variants[0]!.std_dev, Math.sqrt(2.5));
    const c = r.comparisons[0]!;
    close(c.t, 2);
    close(c.df, 8, 1e-9);
    close(c.p_value, 0.0805, 1e-3);
    close(c.lift, 2 / 3); // (5 - 3) / 3
    assert.equal(c.significant, true); // 0.0805 < 0.1
    assert.equal(r.winner, 'a');
    assert.match(r.decision, /^a beats control/);
  });

  it('declares no winner when p >= alpha', () => {
    const r = experimentResults({ outcomes: [...control, ...a], variants: ['control', 'a'], minSampleSize: 5 });
    assert.equal(r.comparisons[0]!.significant, false); // 0.0805 >= 0.05
    assert.equal(r.winner, null);
    assert.match(r.decision, /no variant is significantly better than control at alpha 0\.05; smallest p = 0\.081/);
  });

  it('requires the minimum sample size', () => {
    const r = experimentResults({ outcomes: [...control, ...b], variants: ['control', 'b'], minSampleSize: 30 });
    assert.ok(r.comparisons[0]!.p_value! < 1e-4);
    assert.equal(r.comparisons[0]!.significant, false);
    assert.equal(r.winner, null);
    assert.equal(r.decision, 'needs at least 30 outcomes per variant; control has 5, b has 5.');
  });

  it('picks the best significant variant, or the control when lower is better', () => {
    const outcomes = [...control, ...a, ...b, { variant: 'gone', value: 99 }];
    const variants = ['control', 'a', 'b'];
    const r = experimentResults({ outcomes, variants, minSampleSize: 5, alpha: 0.1 });
    assert.equal(r.winner, 'b');
    assert.equal(r.ignored_outcomes, 1);
    const lower = experimentResults({ outcomes, variants, minSampleSize: 5, alpha: 0.1, direction: 'lower' });
    assert.equal(lower.winner, 'control');
  });

  it('accepts per-variant sums and handles a zero control mean', () => {
    // control -1, 0, 1: n 3, sum 0, sum of squares 2. a 3..7: n 5, sum 25, squares 9+16+25+36+49 = 135.
    const r = experimentResults({
      outcomes: [
        { variant: 'control', n: 3, sum: 0, sumSq: 2 },
        { variant: 'a', n: 5, sum: 25, sumSq: 135 },
      ],
      variants: ['control', 'a'],
      minSampleSize: 2,
    });
    close(r.variants[0]!.std_dev, 1); // variance (2 - 0) / 2 = 1
    close(r.variants[1]!.mean, 5);
    assert.equal(r.comparisons[0]!.lift, null);
  });

  it('copes with empty variants', () => {
    const r = experimentResults({ outcomes: control, variants: ['control', 'a'], minSampleSize: 5 });
    assert.equal(r.variants[1]!.mean, null);
    assert.equal(r.comparisons[0]!.p_value, null);
    assert.equal(r.decision, 'needs at least 5 outcomes per variant; a has 0.');
  });
});
