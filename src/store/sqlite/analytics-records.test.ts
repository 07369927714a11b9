import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CommunityBaseline } from '../../analytics/baselines.js';
import type { AnomalyEvent } from '../../events.js';
import { AnalyticsRecords } from './analytics-records.js';
import { SqliteStore } from './sqlite-store.js';

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

describe('AnalyticsRecords', () => {
  let dir: string;
  let store: SqliteStore;
  let records: AnalyticsRecords;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-records-'));
    store = new SqliteStore(path.join(dir, 'db.sqlite'));
    const insert = store.db.prepare('INSERT INTO skills (name, first_seen_at) VALUES (?, ?)');
    for (const name of ['deploy', 'lint', 'x', 'y']) insert.run(name, T0);
    records = new AnalyticsRecords(store.db);
  });
  after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores anomalies with their window and lists them newest first', () => {
    const saved = records.saveAnomalies(
      [
        anomaly('deploy', T0),
        anomaly('lint', T0, { metric: 'duration', baseline_value: 1000, observed_value: 1070, deviation_score: 2.19, direction: 'up', severity: 'warning' }),
        anomaly('never-seen', T0),
      ],
      24,
    );
    assert.equal(saved, 2, 'the unknown skill is skipped');
    records.saveAnomalies([anomaly('deploy', T0 + 60_000, { deviation_score: 7 })], 6);

    const all = records.recentAnomalies({ limit: 10 });
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
      records.recentAnomalies({ sinceMs: T0 + 1, limit: 10 }).map((a) => a.deviation_score),
      [7],
    );
    assert.equal(records.recentAnomalies({ limit: 1 }).length, 1);
  });

  it('rejects bad listing limits and window lengths', () => {
    assert.throws(() => records.recentAnomalies({ limit: 0 }), /limit/);
    assert.throws(() => records.saveAnomalies([anomaly('deploy', T0)], 0), /window_hours/);
    assert.equal(records.saveAnomalies([], 24), 0);
  });

  it('replaces community baselines as a whole and reads them back', () => {
    assert.deepEqual(records.communityBaselines(), [], 'never computed');
    assert.equal(records.replaceCommunityBaselines([baseline('x'), baseline('deploy', { effectiveness_percentile: 100 })], T0), 2);
    assert.deepEqual(
      records.communityBaselines().map((b) => [b.skill_name, b.effectiveness_percentile, b.computed_at]),
      [
        ['deploy', 100, T0],
        ['x', 50, T0],
      ],
    );

    // A second computation replaces the set: 'deploy' is gone, percentiles may be null.
    const later = T0 + 3_600_000;
    const y = baseline('y', { p50_duration_ms: null, p95_duration_ms: null, effectiveness_percentile: 100, effectiveness_score: 0.5655 });
    assert.equal(records.replaceCommunityBaselines([baseline('x'), y], later), 2);
    const rows = records.communityBaselines();
    assert.deepEqual(
      rows.map((b) => b.skill_name),
      ['y', 'x'],
    );
    assert.deepEqual(rows[0], { ...y, computed_at: later });
    assert.deepEqual(rows[1], { ...baseline('x'), computed_at: later });
    assert.deepEqual(records.communityBaselines('x'), [{ ...baseline('x'), computed_at: later }]);
    assert.deepEqual(records.communityBaselines('nope'), []);
  });

  it('keeps the previous set when a replacement fails half way', () => {
    const before = records.communityBaselines();
    assert.throws(() =>
      records.replaceCommunityBaselines([baseline('lint'), baseline('x', { success_rate: null as unknown as number })], T0 + 7),
    );
    assert.deepEqual(records.communityBaselines(), before);
  });

  it('migration 0004 rolls back (dropping rows without percentiles) and forward again', () => {
    const version = store.migrator.currentVersion();
    assert.ok(version >= 4);
    store.migrator.to(3);
    // Only 'x' had percentiles; 'y' (null p50/p95) cannot be kept under NOT NULL.
    assert.deepEqual(store.db.prepare('SELECT s.name FROM community_baselines b JOIN skills s ON s.id = b.skill_id').pluck().all(), ['x']);
    assert.throws(() =>
      store.db
        .prepare('INSERT INTO community_baselines VALUES ((SELECT id FROM skills WHERE name = ?), 0, 1, 1, 1, 1, NULL, NULL, 1)')
        .run('lint'),
    );
    store.migrator.to(version);
    const x = records.communityBaselines('x');
    assert.equal(x.length, 1);
    assert.equal(x[0]!.p95_duration_ms, 106.8);
    assert.equal(x[0]!.effectiveness_score, 0, 'rows from before 0004 have no stored score');
  });
});
