/**
 * ExperimentService over every back-end's ExperimentStore (SqliteExperimentStore, PgExperimentStore).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assignVariant } from '../analytics/ab-testing.js';
import { testBackends, type OpenedBackend } from '../testing/backends.js';
import { ExperimentService } from './experiment-service.js';

const T0 = Date.UTC(2025, 2, 1);

/** Asserts that `promise` rejects with an AppError with `code` (and naming `field`, when given). */
async function rejectsApp(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
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

describe('ExperimentService', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let experiments: ExperimentService;

      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        experiments = new ExperimentService(b.stores.experiments);
      });
      after(async () => {
        await b?.dispose();
      });

      const def = { variants: ['control', 'treatment'], trafficSplit: [0.5, 0.5], metric: 'task_success', minSampleSize: 5 };

      it('creates, finds and refuses a duplicate name', async () => {
        const e = await experiments.create({ ...def, name: 'prompt-v2', description: 'new prompt' }, T0);
        assert.equal(e.name, 'prompt-v2');
        assert.deepEqual(e.variants, ['control', 'treatment']);
        assert.deepEqual(e.traffic_split, [0.5, 0.5]);
        assert.equal(e.status, 'running');
        assert.equal(e.created_at, T0);
        assert.deepEqual(await experiments.get('prompt-v2'), e);
        await rejectsApp(experiments.create({ ...def, name: 'prompt-v2' }, T0), 'CONFLICT', 'name');
        await rejectsApp(experiments.get('nope'), 'NOT_FOUND', 'experiment');
        assert.equal(await experiments.find('nope'), null);
      });

      it('rejects bad definitions naming the field', async () => {
        await rejectsApp(experiments.create({ ...def, name: 'x', trafficSplit: [0.6, 0.6] }, T0), 'INVALID_INPUT', 'traffic_split');
        await rejectsApp(experiments.create({ ...def, name: 'x', variants: ['a', 'a'] }, T0), 'INVALID_INPUT', 'variants.1');
        await rejectsApp(experiments.create({ ...def, name: 'x', minSampleSize: 1 }, T0), 'INVALID_INPUT', 'min_sample_size');
        // A variant without traffic never reaches min_sample_size outcomes, so no decision could ever be made.
        await rejectsApp(experiments.create({ ...def, name: 'x', trafficSplit: [1, 0] }, T0), 'INVALID_INPUT', 'traffic_split.1');
        assert.equal(await experiments.find('x'), null);
      });

      it('stores assignments so that a later change of the split does not move users', async () => {
        await experiments.create({ ...def, name: 'sticky' }, T0);
        const [c] = usersIn('sticky', 'control', 1);
        const first = await experiments.assign('sticky', c!, T0 + 1);
        assert.deepEqual(first, { variant: 'control', assigned_at: T0 + 1, created: true });
        // Everything would now go to treatment; the stored assignment wins.
        await b.exec(`UPDATE ab_experiments SET traffic_split = '[0,1]' WHERE name = 'sticky'`);
        assert.deepEqual(await experiments.assign('sticky', c!, T0 + 2), { variant: 'control', assigned_at: T0 + 1, created: false });
        const [other] = usersIn('sticky', 'control', 2).slice(1);
        assert.equal((await experiments.assign('sticky', other!, T0 + 3)).variant, 'treatment');
      });

      it('records outcomes for the assigned variant and computes Welch results from sums', async () => {
        await experiments.create({ ...def, name: 'welch' }, T0);
        const [c] = usersIn('welch', 'control', 1);
        const [t] = usersIn('welch', 'treatment', 1);
        // Recording assigns first.
        const r = await experiments.recordOutcome('welch', c!, 1, T0);
        assert.equal(r.variant, 'control');
        assert.equal(r.assigned_now, true);
        for (const v of [2, 3, 4, 5]) assert.equal((await experiments.recordOutcome('welch', c!, v, T0)).assigned_now, false);
        for (const v of [4, 5, 6, 7, 8]) await experiments.recordOutcome('welch', t!, v, T0, 'treatment');
        await assert.rejects(experiments.recordOutcome('welch', t!, 1, T0, 'control'), {
          code: 'INVALID_INPUT',
          details: { field: 'variant', rule: 'must be the user\'s assigned variant "treatment"' },
        });
        await rejectsApp(experiments.recordOutcome('welch', t!, Number.NaN, T0), 'INVALID_INPUT', 'value');

        // control: 1..5, n 5, Σ 15, Σx² 55; treatment: 4..8, n 5, Σ 30, Σx² 190.
        const sums = await b.stores.experiments.outcomeSums((await experiments.get('welch')).id);
        assert.deepEqual(sums, [
          { variant: 'control', n: 5, sum: 15, sumSq: 55 },
          { variant: 'treatment', n: 5, sum: 30, sumSq: 190 },
        ]);
        // Means 3 and 6, variances 2.5 and 2.5: t = 3 / sqrt(2.5/5 + 2.5/5) = 3;
        // df = (0.5 + 0.5)² / (0.5²/4 + 0.5²/4) = 8; two-sided p(t=3, df=8) = 0.0170717 (scipy: 2·t.sf(3, 8)).
        const { results, assigned } = await experiments.results('welch');
        const cmp = results.comparisons[0]!;
        assert.equal(cmp.t, 3);
        assert.ok(Math.abs(cmp.df! - 8) < 1e-9);
        assert.ok(Math.abs(cmp.p_value! - 0.0170717) < 1e-6, `p ${cmp.p_value}`);
        assert.equal(cmp.lift, 1); // (6 − 3) / 3
        assert.equal(results.winner, 'treatment'); // p < 0.05 and n = 5 >= min 5
        assert.deepEqual([...assigned].sort(), [
          ['control', 1],
          ['treatment', 1],
        ]);
      });

      it('names no winner below the minimum sample size, even when significant', async () => {
        await experiments.create({ ...def, name: 'small', minSampleSize: 6 }, T0);
        const [c] = usersIn('small', 'control', 1);
        const [t] = usersIn('small', 'treatment', 1);
        for (const v of [1, 2, 3, 4, 5]) await experiments.recordOutcome('small', c!, v, T0);
        for (const v of [4, 5, 6, 7, 8]) await experiments.recordOutcome('small', t!, v, T0);
        const { results } = await experiments.results('small');
        assert.equal(results.winner, null);
        assert.match(results.decision, /needs at least 6 outcomes per variant/);
      });

      it('stops an experiment: no new users or outcomes, results stay readable', async () => {
        await experiments.create({ ...def, name: 'ending' }, T0);
        const [c, c2] = usersIn('ending', 'control', 2);
        await experiments.assign('ending', c!, T0);
        assert.equal((await experiments.stop('ending')).status, 'stopped');
        assert.equal((await experiments.get('ending')).status, 'stopped');
        assert.equal((await experiments.assign('ending', c!, T0)).variant, 'control');
        await rejectsApp(experiments.assign('ending', c2!, T0), 'CONFLICT', 'experiment');
        await rejectsApp(experiments.recordOutcome('ending', c!, 1, T0), 'CONFLICT', 'experiment');
        assert.equal((await experiments.results('ending')).results.variants[0]!.n, 0);
      });
    });
  }
});
