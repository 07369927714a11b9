/**
 * AnalyticsRecords on every back-end (SqliteAnalyticsRecords, PgAnalyticsRecords).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommunityBaseline } from '../../analytics/baselines.js';
import type { AnomalyEvent } from '../../events.js';
import type { AnalyticsRecords } from '../analytics-types.js';
import type { PgStore } from '../postgres/store.js';
import { testBackends, type OpenedBackend } from '../../testing/backends.js';

const T0 = Date.UTC(2025, 5, 10, 12, 0, 0);

function anomaly(skill: string, detectedAt: number, over: Partial<AnomalyEvent> = {}): AnomalyEvent {
  return {
    skill_name: skill,
    metric: 'success_rate',
    baseline_value: 0.95,
    observed_value: 0.5,
    deviation_score: 6.53,
    direction: 'down',
    severity: 'critical',
    detected_at: detectedAt,
    ...over,
  };
}

function baseline(skill: string, over: Partial<CommunityBaseline> = {}): CommunityBaseline {
  return {
    skill_name: skill,
    invocations: 20,
    users: 2,
    success_rate: 0.7,
    mean_duration_ms: 100,
    p50_duration_ms: 99.1,
    p95_duration_ms: 106.8,
    effectiveness_score: 0.481,
    effectiveness_percentile: 50,
    ...over,
  };
}

/** Moves the schema to `version` (default: the latest) with the back-end's own migrator. */
async function migrateTo(b: OpenedBackend, version?: number): Promise<void> {
  const m = b.stores.sqlite?.migrator ?? (b.store as PgStore).migrator;
  await m.to(version ?? m.latestVersion);
}

describe('AnalyticsRecords', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let records: AnalyticsRecords;

      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        await b.exec(`INSERT INTO skills (name, first_seen_at) VALUES ('deploy', ${T0}), ('lint', ${T0}), ('x', ${T0}), ('y', ${T0})`);
        records = b.stores.analyticsRecords;
      });
      after(async () => {
        await b?.dispose();
      });

      it('stores anomalies with their window and lists them newest first', async () => {
        const saved = await records.saveAnomalies(
          [
            anomaly('deploy', T0),
            anomaly('lint', T0, {
              metric: 'duration',
              baseline_value: 1000,
              observed_value: 1070,
              deviation_score: 2.19,
              direction: 'up',
              severity: 'warning',
            }),
            anomaly('never-seen', T0),
          ],
          24,
        );
        assert.deepEqual(
          saved.map((a) => a.skill_name),
          ['deploy', 'lint'],
          'the unknown skill is skipped',
        );
        await records.saveAnomalies([anomaly('deploy', T0 + 60_000, { deviation_score: 7, direction: 'up' })], 6);

        const all = await records.recentAnomalies({ limit: 10 });
        assert.equal(all.length, 3);
        // Newest first; the two with equal detected_at: latest stored (lint) first.
        assert.deepEqual(
          all.map((a) => [a.skill_name, a.detected_at, a.window_hours]),
          [
            ['deploy', T0 + 60_000, 6],
            ['lint', T0, 24],
            ['deploy', T0, 24],
          ],
        );
        const lint = all[1]!;
        assert.equal(lint.metric, 'duration');
        assert.equal(lint.baseline_value, 1000);
        assert.equal(lint.observed_value, 1070);
        assert.equal(lint.deviation_score, 2.19);
        assert.equal(lint.direction, 'up');
        assert.equal(lint.severity, 'warning');

        assert.deepEqual(
          (await records.recentAnomalies({ sinceMs: T0 + 1, limit: 10 })).map((a) => a.deviation_score),
          [7],
        );
        assert.equal((await records.recentAnomalies({ limit: 1 })).length, 1);
      });

      it('rejects bad listing limits and window lengths', async () => {
        await assert.rejects(records.recentAnomalies({ limit: 0 }), /limit/);
        await assert.rejects(records.saveAnomalies([anomaly('deploy', T0)], 0), /window_hours/);
        await assert.rejects(records.saveAnomalies([anomaly('deploy', T0)], 0.08), /window_hours: must be a number of hours from 5 minutes/);
        assert.deepEqual(await records.saveAnomalies([], 24), []);
      });

      it('stores an ongoing anomaly once per window, and again when its severity rises', async () => {
        const t = T0 + 30 * 24 * 3_600_000; // clear of the other tests' rows
        const warn = (at: number, over: Partial<AnomalyEvent> = {}) => anomaly('x', at, { metric: 'duration', direction: 'up', severity: 'warning', ...over });
        const count = async () => (await records.recentAnomalies({ sinceMs: t, limit: 100 })).filter((a) => a.skill_name === 'x').length;

        assert.equal((await records.saveAnomalies([warn(t)], 2)).length, 1);
        assert.equal((await records.saveAnomalies([warn(t + 60_000)], 2)).length, 0, 'the same anomaly a minute later');
        assert.equal((await records.saveAnomalies([warn(t + 60_000, { direction: 'down' })], 2)).length, 1, 'another direction');
        assert.equal((await records.saveAnomalies([warn(t + 60_000, { metric: 'success_rate' })], 2)).length, 1, 'another metric');
        assert.equal((await records.saveAnomalies([warn(t + 120_000, { severity: 'critical' })], 2)).length, 1, 'severity rose');
        assert.equal((await records.saveAnomalies([warn(t + 180_000)], 2)).length, 0, 'fell back to warning: still the same');
        assert.equal((await records.saveAnomalies([warn(t + 180_000, { severity: 'critical' })], 2)).length, 0, 'critical again');
        // Two hours after the last critical one, with a 2 h window: reported anew.
        assert.equal((await records.saveAnomalies([warn(t + 2 * 3_600_000 + 120_001)], 2)).length, 1, 'a window later');
        assert.equal(await count(), 5);
        // A fractional window (0.25 h = 15 min): stored with its length; the same anomaly 14:59 later is a repeat,
        // 15:01 later it is news.
        const y = (at: number) => anomaly('y', at, { metric: 'duration', direction: 'up', severity: 'warning' });
        assert.equal((await records.saveAnomalies([y(t)], 0.25)).length, 1);
        assert.equal((await records.saveAnomalies([y(t + 899_000)], 0.25)).length, 0);
        assert.equal((await records.saveAnomalies([y(t + 901_000)], 0.25)).length, 1);
        const ys = (await records.recentAnomalies({ sinceMs: t, limit: 100 })).filter((a) => a.skill_name === 'y');
        assert.deepEqual(
          ys.map((a) => a.window_hours),
          [0.25, 0.25],
        );
      });

      it('replaces community baselines as a whole and reads them back', async () => {
        assert.deepEqual(await records.communityBaselines(), [], 'never computed');
        assert.equal(await records.replaceCommunityBaselines([baseline('x'), baseline('deploy', { effectiveness_percentile: 100 })], T0), 2);
        assert.deepEqual(
          (await records.communityBaselines()).map((r) => [r.skill_name, r.effectiveness_percentile, r.computed_at]),
          [
            ['deploy', 100, T0],
            ['x', 50, T0],
          ],
        );

        // A second computation replaces the set: 'deploy' is gone, percentiles may be null.
        const later = T0 + 3_600_000;
        const y = baseline('y', { p50_duration_ms: null, p95_duration_ms: null, effectiveness_percentile: 100, effectiveness_score: 0.5655 });
        assert.equal(await records.replaceCommunityBaselines([baseline('x'), y], later), 2);
        const rows = await records.communityBaselines();
        assert.deepEqual(
          rows.map((r) => r.skill_name),
          ['y', 'x'],
        );
        assert.deepEqual(rows[0], { ...y, computed_at: later });
        assert.deepEqual(rows[1], { ...baseline('x'), computed_at: later });
        assert.deepEqual(await records.communityBaselines('x'), [{ ...baseline('x'), computed_at: later }]);
        assert.deepEqual(await records.communityBaselines('nope'), []);
      });

      it('keeps the previous set when a replacement fails half way', async () => {
        const before = await records.communityBaselines();
        await assert.rejects(records.replaceCommunityBaselines([baseline('lint'), baseline('x', { success_rate: null as unknown as number })], T0 + 7));
        assert.deepEqual(await records.communityBaselines(), before);
      });

      it('migration 0004 rolls back (dropping rows without percentiles) and forward again', async () => {
        await migrateTo(b, 3);
        // Only 'x' had percentiles; 'y' (null p50/p95) cannot be kept under NOT NULL.
        assert.deepEqual(
          (await b.query<{ name: string }>('SELECT s.name FROM community_baselines b JOIN skills s ON s.id = b.skill_id')).map((r) => r.name),
          ['x'],
        );
        await assert.rejects(b.exec(`INSERT INTO community_baselines VALUES ((SELECT id FROM skills WHERE name = 'lint'), 0, 1, 1, 1, 1, NULL, NULL, 1)`));
        await migrateTo(b);
        const x = await records.communityBaselines('x');
        assert.equal(x.length, 1);
        assert.equal(x[0]!.p95_duration_ms, 106.8);
        assert.equal(x[0]!.effectiveness_score, 0, 'rows from before 0004 have no stored score');
      });
    });
  }
});
