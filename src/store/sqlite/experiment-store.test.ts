import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assignVariant } from '../../analytics/ab-testing.js';
import { ExperimentStore } from './experiment-store.js';
import { SqliteStore } from './sqlite-store.js';

const T0 = Date.UTC(2025, 2, 1);

/** Asserts that `fn` throws an AppError with `code` (and naming `field`, when given). */
function throwsApp(fn: () => unknown, code: string, field?: string): void {
  assert.throws(fn, (err: unknown) => {
    const e = err as { code?: string; details?: { field?: string } };
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal(e.details?.field, field);
    return true;
  });
}

/** The first `count` user hashes `u-<i>` that land in `variant` of a 50/50 experiment `name`. */
function usersIn(name: string, variant: string, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    if (assignVariant(name, `u-${i}`, ['control', 'treatment'], [0.5, 0.5]) === variant) out.push(`u-${i}`);
  }
  return out;
}

describe('ExperimentStore', () => {
  let dir: string;
  let store: SqliteStore;
  let experiments: ExperimentStore;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-exp-'));
    store = new SqliteStore(path.join(dir, 'db.sqlite'));
    experiments = new ExperimentStore(store.db);
  });
  after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const def = { variants: ['control', 'treatment'], trafficSplit: [0.5, 0.5], metric: 'task_success', minSampleSize: 5 };

  it('creates, finds and refuses a duplicate name', () => {
    const e = experiments.create({ ...def, name: 'prompt-v2', description: 'new prompt' }, T0);
    assert.equal(e.name, 'prompt-v2');
    assert.deepEqual(e.variants, ['control', 'treatment']);
    assert.deepEqual(e.traffic_split, [0.5, 0.5]);
    assert.equal(e.status, 'running');
    assert.equal(e.created_at, T0);
    assert.deepEqual(experiments.get('prompt-v2'), e);
    throwsApp(() => experiments.create({ ...def, name: 'prompt-v2' }, T0), 'CONFLICT', 'name');
    throwsApp(() => experiments.get('nope'), 'NOT_FOUND', 'experiment');
    assert.equal(experiments.find('nope'), null);
  });

  it('rejects bad definitions naming the field', () => {
    throwsApp(() => experiments.create({ ...def, name: 'x', trafficSplit: [0.6, 0.6] }, T0), 'INVALID_INPUT', 'traffic_split');
    throwsApp(() => experiments.create({ ...def, name: 'x', variants: ['a', 'a'] }, T0), 'INVALID_INPUT', 'variants.1');
    throwsApp(() => experiments.create({ ...def, name: 'x', minSampleSize: 1 }, T0), 'INVALID_INPUT', 'min_sample_size');
    assert.equal(experiments.find('x'), null);
  });

  it('stores assignments so that a later change of the split does not move users', () => {
    experiments.create({ ...def, name: 'sticky' }, T0);
    const [c] = usersIn('sticky', 'control', 1);
    const first = experiments.assign('sticky', c!, T0 + 1);
    assert.deepEqual(first, { variant: 'control', assigned_at: T0 + 1, created: true });
    // Everything would now go to treatment; the stored assignment wins.
    store.db.prepare(`UPDATE ab_experiments SET traffic_split = '[0,1]' WHERE name = 'sticky'`).run();
    assert.deepEqual(experiments.assign('sticky', c!, T0 + 2), { variant: 'control', assigned_at: T0 + 1, created: false });
    const [other] = usersIn('sticky', 'control', 2).slice(1);
    assert.equal(experiments.assign('sticky', other!, T0 + 3).variant, 'treatment');
  });

  it('records outcomes for the assigned variant and computes Welch results from sums', () => {
    experiments.create({ ...def, name: 'welch' }, T0);
    const [c] = usersIn('welch', 'control', 1);
    const [t] = usersIn('welch', 'treatment', 1);
    // Recording assigns first.
    const r = experiments.recordOutcome('welch', c!, 1, T0);
    assert.equal(r.variant, 'control');
    assert.equal(r.assigned_now, true);
    for (const v of [2, 3, 4, 5]) assert.equal(experiments.recordOutcome('welch', c!, v, T0).assigned_now, false);
    for (const v of [4, 5, 6, 7, 8]) experiments.recordOutcome('welch', t!, v, T0, 'treatment');
    assert.throws(() => experiments.recordOutcome('welch', t!, 1, T0, 'control'), {
      code: 'INVALID_INPUT',
      details: { field: 'variant', rule: 'must be the user\'s assigned variant "treatment"' },
    });
    throwsApp(() => experiments.recordOutcome('welch', t!, Number.NaN, T0), 'INVALID_INPUT', 'value');

    // control: 1..5, n 5, Σ 15, Σx² 55; treatment: 4..8, n 5, Σ 30, Σx² 190.
    const sums = experiments.outcomeSums(experiments.get('welch').id);
    assert.deepEqual(sums, [
      { variant: 'control', n: 5, sum: 15, sumSq: 55 },
      { variant: 'treatment', n: 5, sum: 30, sumSq: 190 },
    ]);
    // Means 3 and 6, variances 2.5 and 2.5: t = 3 / sqrt(2.5/5 + 2.5/5) = 3;
    // df = (0.5 + 0.5)² / (0.5²/4 + 0.5²/4) = 8; two-sided p(t=3, df=8) = 0.0170717 (scipy: 2·t.sf(3, 8)).
    const { results, assigned } = experiments.results('welch');
    const cmp = results.comparisons[0]!;
    assert.equal(cmp.t, 3);
    assert.ok(Math.abs(cmp.df! - 8) < 1e-9);
    assert.ok(Math.abs(cmp.p_value! - 0.0170717) < 1e-6, `p ${cmp.p_value}`);
    assert.equal(cmp.lift, 1); // (6 − 3) / 3
    assert.equal(results.winner, 'treatment'); // p < 0.05 and n = 5 >= min 5
    assert.deepEqual([...assigned].sort(), [['control', 1], ['treatment', 1]]);
  });

  it('names no winner below the minimum sample size, even when significant', () => {
    experiments.create({ ...def, name: 'small', minSampleSize: 6 }, T0);
    const [c] = usersIn('small', 'control', 1);
    const [t] = usersIn('small', 'treatment', 1);
    for (const v of [1, 2, 3, 4, 5]) experiments.recordOutcome('small', c!, v, T0);
    for (const v of [4, 5, 6, 7, 8]) experiments.recordOutcome('small', t!, v, T0);
    const { results } = experiments.results('small');
    assert.equal(results.winner, null);
    assert.match(results.decision, /needs at least 6 outcomes per variant/);
  });

  it('stops an experiment: no new users or outcomes, results stay readable', () => {
    experiments.create({ ...def, name: 'ending' }, T0);
    const [c, c2] = usersIn('ending', 'control', 2);
    experiments.assign('ending', c!, T0);
    assert.equal(experiments.stop('ending').status, 'stopped');
    assert.equal(experiments.get('ending').status, 'stopped');
    assert.equal(experiments.assign('ending', c!, T0).variant, 'control');
    throwsApp(() => experiments.assign('ending', c2!, T0), 'CONFLICT', 'experiment');
    throwsApp(() => experiments.recordOutcome('ending', c!, 1, T0), 'CONFLICT', 'experiment');
    assert.equal(experiments.results('ending').results.variants[0]!.n, 0);
  });
});
