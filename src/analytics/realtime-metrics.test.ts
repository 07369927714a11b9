import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { rowsRange, summarizeWindow, topSkills } from './realtime-metrics.js';
import type { HourlyRollup } from './types.js';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1); // 2025-01-01T00:00:00Z, an exact hour boundary

function row(
  skill: string,
  hourOffset: number,
  invocations: number,
  successes: number,
  durationSum: number,
  lastAt: number,
  timed = invocations,
): HourlyRollup {
  return { skill, hour: T0 / H + hourOffset, invocations, successes, timed, durationSum, durationSqSum: 0, lastAt };
}

describe('topSkills', () => {
  const rows: HourlyRollup[] = [
    // alpha: 6 + 4 = 10 invocations, 5 + 3 = 8 successes, durations 600 + 400 = 1000 ms
    row('alpha', 0, 6, 5, 600, T0 + 1000),
    row('alpha', 1, 4, 3, 400, T0 + H + 5000),
    // beta: 10 invocations, 10 successes, 2500 ms total; ties with alpha on invocations
    row('beta', 1, 10, 10, 2500, T0 + H + 10),
    // gamma: 3 invocations, 1 success, 90 ms total
    row('gamma', 0, 3, 1, 90, T0 + 20),
    // delta: a row with no invocations is left out
    row('delta', 0, 0, 0, 0, T0),
  ];

  it('sorts by invocations, ties by name, and aggregates each skill', () => {
    const hist = [
      { skill: 'alpha', buckets: [{ bucket: 346, count: 10 }] },
      { skill: 'alpha', buckets: [{ bucket: 346, count: 10 }] },
    ];
    const out = topSkills(rows, hist, 10);
    assert.deepEqual(
      out.map((s) => s.skill_name),
      ['alpha', 'beta', 'gamma'],
    );
    const alpha = out[0]!;
    assert.equal(alpha.invocations, 10);
    assert.equal(alpha.successes, 8);
    assert.equal(alpha.success_rate, 0.8); // 8 / 10
    assert.equal(alpha.avg_duration_ms, 100); // 1000 / 10
    // Bucket 346 spans (992.503, 1012.554]; 20 samples merged from two entries, rank ceil(0.95 × 20) = 19
    // lies in it: its value 2 × 1.0202^346 / 2.0202 = 1002.428 → 1002.4
    assert.equal(alpha.p95_duration_ms, 1002.4);
    assert.equal(alpha.last_invoked_at, '2025-01-01T01:00:05.000Z'); // T0 + 1 h + 5 s
    const gamma = out[2]!;
    assert.equal(gamma.success_rate, 0.3333); // 1 / 3
    assert.equal(gamma.avg_duration_ms, 30); // 90 / 3
    assert.equal(gamma.p95_duration_ms, null); // no histogram given
    assert.equal(out[1]!.avg_duration_ms, 250); // 2500 / 10
  });

  it('divides durations by the measured invocations only; a skill with none has no latency', () => {
    // skill:deploy: 4 invocations, 2 measured (800 + 934 = 1734 ms) and 2 typed (stored as 0 ms, not measured);
    // skill:notes: 2 typed activations, nothing measured (its stored range 0..0 is no range).
    const measured = [
      { ...row('skill:deploy', 0, 4, 4, 1734, T0 + 5, 2), durationMin: 800, durationMax: 934 },
      { ...row('skill:notes', 0, 2, 2, 0, T0 + 6, 0), durationMin: 0, durationMax: 0 },
    ];
    const out = topSkills(measured, [], 10);
    assert.deepEqual(
      out.map((s) => [s.skill_name, s.invocations, s.success_rate, s.avg_duration_ms, s.p95_duration_ms]),
      [
        ['skill:deploy', 4, 1, 867, null], // 1734 / 2, not 1734 / 4 = 433.5
        ['skill:notes', 2, 1, null, null],
      ],
    );
    // Over the window: 6 invocations, 1734 ms over 2 measured = 867.
    const sum = summarizeWindow(measured);
    assert.deepEqual([sum.invocations, sum.success_rate, sum.avg_duration_ms], [6, 1, 867]);
    // Nothing measured at all: no average.
    assert.equal(summarizeWindow([measured[1]!]).avg_duration_ms, null);
    // The observed range (which bounds p95) comes from the rows with measured calls only.
    assert.deepEqual(rowsRange(measured), { min: 800, max: 934 });
    assert.equal(rowsRange([measured[1]!]), null);
  });

  it('applies the limit and rejects a bad one', () => {
    assert.deepEqual(
      topSkills(rows, [], 1).map((s) => s.skill_name),
      ['alpha'],
    );
    assert.throws(() => topSkills(rows, [], 0), AppError);
    assert.throws(() => topSkills(rows, [], 1.5), AppError);
  });
});

describe('summarizeWindow', () => {
  it('totals all skills, weighting the success rate by invocations', () => {
    const s = summarizeWindow([
      row('a', 0, 6, 5, 600, T0 + 1000),
      row('a', 1, 4, 3, 400, T0 + H + 5000),
      row('b', 1, 10, 10, 2500, T0 + H + 10),
      row('c', 0, 0, 0, 0, T0),
    ]);
    // 20 invocations, 18 successes → 0.9; 3500 ms / 20 = 175 ms; c has none → 2 active skills
    assert.deepEqual(s, {
      invocations: 20,
      successes: 18,
      success_rate: 0.9,
      avg_duration_ms: 175,
      active_skills: 2,
      last_invoked_at: '2025-01-01T01:00:05.000Z',
    });
  });

  it('reports nulls for an empty window', () => {
    assert.deepEqual(summarizeWindow([]), {
      invocations: 0,
      successes: 0,
      success_rate: null,
      avg_duration_ms: null,
      active_skills: 0,
      last_invoked_at: null,
    });
  });
});
