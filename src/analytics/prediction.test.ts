import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFeatures, createSuccessPredictor, durationLog2Bucket, predictSuccess, priorSuccessRate, trainSuccessModel } from './prediction.js';
import type { InvocationSample } from './types.js';
import { mulberry32 as rng } from './prng.js';

const T0 = Date.UTC(2025, 0, 6, 13, 0, 0); // 13:00 UTC

function sample(skill: string, user: string, completed: boolean, invokedAt: number, durationMs = 1000, workflowPhase = 'build'): InvocationSample {
  return { skill, user, completed, invokedAt, durationMs, workflowPhase };
}

/** Skill A always succeeds, skill B always fails; users, phases, hours and durations are noise. */
function synthetic(n: number): InvocationSample[] {
  const r = rng(7);
  const out: InvocationSample[] = [];
  for (let i = 0; i < n; i++) {
    const isA = r() < 0.5;
    out.push(
      sample(
        isA ? 'A' : 'B',
        `user-${Math.floor(r() * 20)}`,
        isA,
        T0 + i * 600_000 + Math.floor(r() * 1000),
        Math.floor(r() * 60_000),
        ['plan', 'build', 'test'][Math.floor(r() * 3)]!,
      ),
    );
  }
  return out;
}

const close = (a: number, b: number, eps: number) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

describe('buildFeatures', () => {
  it('uses only strictly earlier samples for the prior rates', () => {
    // Given out of order; s2 and s3 share a timestamp, so neither sees the other (ties sort by skill: s3 first).
    const s1 = sample('A', 'u', true, T0, 0);
    const s2 = sample('B', 'u', false, T0 + 1000, 1);
    const s3 = sample('A', 'v', true, T0 + 1000, 1000, 'test');
    const s4 = sample('A', 'u', true, T0 + 3_600_000, 1000);
    const f = buildFeatures([s4, s3, s2, s1]);
    assert.deepEqual(f.encodings.skills, ['A', 'B']);
    assert.deepEqual(f.encodings.phases, ['build', 'test']);
    assert.deepEqual(f.labels, [1, 1, 0, 1]);
    // [skill, phase, hour, user rate, skill rate, duration bucket]; rates are rounded to 0.01 (2/3 -> 0.67).
    // s1: nothing earlier: (0+1)/(0+2) = 1/2 for both; 0 ms -> bucket 0.
    assert.deepEqual(f.matrix[0], [0, 0, 13, 0.5, 0.5, 0]);
    // s3: sees s1 only. user v unseen: 1/2; skill A 1 success of 1: 2/3; 1000 ms -> floor(9.97) + 1 = 10.
    assert.deepEqual(f.matrix[1], [0, 1, 13, 0.5, 0.67, 10]);
    // s2: sees s1 only. user u: (1+1)/(1+2) = 2/3; skill B unseen: 1/2; 1 ms -> floor(log2 1) + 1 = 1.
    assert.deepEqual(f.matrix[2], [1, 0, 13, 0.67, 0.5, 1]);
    // s4 at 14:00: user u 1 of 2 (s1 ok, s2 failed): 2/4; skill A 2 of 2 (s1, s3): 3/4.
    assert.deepEqual(f.matrix[3], [0, 0, 14, 0.5, 0.75, 10]);
    // Buckets sorted 0, 1, 10, 10: lower median = 1.
    assert.deepEqual(buildFeatures([s1, s2, s3, s4]).matrix, f.matrix);
    assert.equal(f.encodings.default_duration_bucket, 1);
  });

  it("reads an unmeasured duration (stored as 0 ms) as its skill's median measured bucket, never as 0 ms", () => {
    const typed = (skill: string, invokedAt: number): InvocationSample => ({ ...sample(skill, 'u', true, invokedAt, 0), durationKnown: false });
    const f = buildFeatures([
      // deploy: measured 1000 ms (bucket 10) twice and 4000 ms (bucket 12) once, typed (unmeasured) three times.
      sample('deploy', 'u', true, T0, 1000),
      typed('deploy', T0 + 1),
      sample('deploy', 'u', true, T0 + 2, 1000),
      typed('deploy', T0 + 3),
      sample('deploy', 'u', false, T0 + 4, 4000),
      typed('deploy', T0 + 5),
      // notes: only ever typed, no duration at all.
      typed('notes', T0 + 6),
      typed('notes', T0 + 7),
      // Bash: measured 3 ms (bucket 2), and genuinely 0 ms once (bucket 0: a measured duration under 1 ms).
      sample('Bash', 'u', true, T0 + 8, 3),
      sample('Bash', 'u', true, T0 + 9, 0),
    ]);
    const buckets = f.matrix.map((r) => r[5]);
    // Measured buckets sorted: 0, 2, 10, 10, 12: median 10 (the 6 unmeasured rows are not 0 ms there).
    assert.equal(f.encodings.default_duration_bucket, 10);
    assert.deepEqual(f.encodings.skill_duration_buckets, { Bash: 0, deploy: 10 });
    // deploy's typed rows get deploy's median (10); notes (never measured) the median of all measured durations (10).
    assert.deepEqual(buckets, [10, 10, 10, 10, 12, 10, 10, 10, 2, 0]);
  });

  it('buckets durations by powers of two', () => {
    assert.equal(durationLog2Bucket(0), 0);
    assert.equal(durationLog2Bucket(1), 1);
    assert.equal(durationLog2Bucket(2), 2);
    assert.equal(durationLog2Bucket(3), 2);
    assert.equal(durationLog2Bucket(1024), 11);
    assert.equal(priorSuccessRate(3, 4), 4 / 6);
  });
});

describe('trainSuccessModel', () => {
  it('reports insufficient data', () => {
    const few = synthetic(150);
    const r = trainSuccessModel(few);
    assert.equal(r.status, 'insufficient_data');
    assert.equal(r.samples, 150);
    const allOk = synthetic(300).map((s) => ({ ...s, completed: true }));
    assert.equal(trainSuccessModel(allOk, { nEstimators: 3 }).status, 'insufficient_data');
  });

  it('learns a skill that always succeeds vs one that always fails', () => {
    const data = synthetic(500);
    const r = trainSuccessModel(data, { seed: 3, nEstimators: 10, maxDepth: 6 });
    assert.equal(r.status, 'trained');
    if (r.status !== 'trained') return;
    // Holdout = most recent floor(500 · 0.2) = 100 samples; the rest trains.
    assert.equal(r.holdout_size, 100);
    assert.equal(r.train_size, 400);
    const times = data.map((s) => s.invokedAt).sort((a, b) => a - b);
    assert.equal(r.holdout_start_at, times[400]);
    assert.match(r.holdout_method, /most recent 20%/);
    assert.ok(r.holdout_accuracy > 0.9, `accuracy ${r.holdout_accuracy}`);
    assert.ok(r.baseline_accuracy >= 0.5 && r.baseline_accuracy < 1);
    assert.equal(r.class_balance.successes + r.class_balance.failures, 500);
    const importanceSum = r.feature_importance.reduce((a, f) => a + f.importance, 0);
    assert.ok(Math.abs(importanceSum - 1) < 1e-3);
    assert.ok(['skill', 'skill_prior_success_rate'].includes(r.feature_importance[0]!.feature));

    // The model survives a JSON round trip (it is stored as text).
    const model = JSON.parse(JSON.stringify(r.model));
    const predict = createSuccessPredictor(model, r.encodings);
    const common = { phase: 'build', hourOfDay: 13, userSuccessRate: 0.5 };
    const a = predict({ ...common, skill: 'A', skillSuccessRate: priorSuccessRate(200, 200) });
    const b = predict({ ...common, skill: 'B', skillSuccessRate: priorSuccessRate(0, 200) });
    assert.ok(a.probability > 0.8, `A ${a.probability}`);
    assert.ok(b.probability < 0.2, `B ${b.probability}`);
    assert.equal(a.unknown_skill, false);
    assert.equal(a.duration_imputed, true);

    const unknown = predictSuccess(model, r.encodings, { ...common, skill: 'C', phase: 'deploy', skillSuccessRate: 0.5, durationBucket: 10 });
    assert.equal(unknown.unknown_skill, true);
    assert.equal(unknown.unknown_phase, true);
    assert.ok(unknown.probability >= 0 && unknown.probability <= 1);
    assert.throws(() => predict({ ...common, hourOfDay: 24, skill: 'A', skillSuccessRate: 0.5 }), { code: 'INVALID_INPUT' });
  });

  it('averages an unknown skill over the known skills, each with its own success rate', () => {
    const r = trainSuccessModel(synthetic(500), { seed: 3, nEstimators: 10, maxDepth: 6 });
    assert.equal(r.status, 'trained');
    if (r.status !== 'trained') return;
    const predict = createSuccessPredictor(r.model, r.encodings);
    const common = { phase: 'build', hourOfDay: 13, userSuccessRate: 0.5, durationBucket: 10 };
    const rateA = priorSuccessRate(200, 200); // 201/202
    const rateB = priorSuccessRate(0, 200); // 1/202
    const a = predict({ ...common, skill: 'A', skillSuccessRate: rateA }).probability;
    const b = predict({ ...common, skill: 'B', skillSuccessRate: rateB }).probability;
    const knownSkillSuccessRates = new Map([
      ['A', rateA],
      ['B', rateB],
    ]);
    // The unknown skill's own rate (no invocations: 1/2) is not what the known skills are predicted with.
    const unknown = predict({ ...common, skill: 'C', skillSuccessRate: 0.5, knownSkillSuccessRates });
    assert.equal(unknown.unknown_skill, true);
    close(unknown.probability, (a + b) / 2, 1e-12);
    assert.throws(() => predict({ ...common, skill: 'C', skillSuccessRate: 0.5, knownSkillSuccessRates: new Map([['A', 1.5]]) }), {
      code: 'INVALID_INPUT',
    });
  });

  it("predicts without a duration at the skill's median measured bucket, the value training gave its unmeasured durations", () => {
    // Success depends on the duration only: fast calls (16 ms, bucket 5) succeed, slow ones (16 s, bucket 14) fail.
    // fast-skill is mostly fast, slow-skill mostly slow; every fourth call of each is typed (unmeasured).
    const r = rng(5);
    const data: InvocationSample[] = [];
    for (let i = 0; i < 600; i++) {
      const skill = i % 2 === 0 ? 'fast-skill' : 'slow-skill';
      const fast = r() < (skill === 'fast-skill' ? 0.8 : 0.2);
      const s = sample(skill, `user-${i % 7}`, fast, T0 + i * 60_000, fast ? 16 : 16_000);
      data.push(i % 4 < 2 ? s : { ...s, durationMs: 0, durationKnown: false });
    }
    const m = trainSuccessModel(data, { seed: 1, nEstimators: 10, maxDepth: 6 });
    assert.equal(m.status, 'trained');
    if (m.status !== 'trained') return;
    assert.deepEqual(m.encodings.skill_duration_buckets, { 'fast-skill': 5, 'slow-skill': 14 });
    const predict = createSuccessPredictor(m.model, m.encodings);
    const common = { phase: 'build', hourOfDay: 13, userSuccessRate: 0.5, skillSuccessRate: 0.5 };
    for (const [skill, bucket] of [
      ['fast-skill', 5],
      ['slow-skill', 14],
    ] as const) {
      const imputed = predict({ ...common, skill });
      assert.equal(imputed.duration_imputed, true);
      assert.equal(imputed.probability, predict({ ...common, skill, durationBucket: bucket }).probability, skill);
    }
  });

  it('is deterministic for a seed and caps the training set by class', () => {
    const data = synthetic(300);
    const opts = { seed: 11, nEstimators: 3, maxDepth: 4, maxTrainSamples: 100 };
    const x = trainSuccessModel(data, opts);
    const y = trainSuccessModel(data, opts);
    assert.equal(x.status, 'trained');
    if (x.status !== 'trained' || y.status !== 'trained') return;
    assert.deepEqual(x.model, y.model);
    // 240 training candidates; each class keeps floor(100 · share), so at most 100 rows.
    assert.equal(x.train_candidates, 240);
    assert.ok(x.train_size <= 100 && x.train_size >= 98, `train_size ${x.train_size}`);
  });
});
