import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeWindowHistograms, mergeWindowTotals, planWindow, RawEdgeSums, splitDays, tailProbe } from './window-pieces.js';

const H = 3_600_000;
const T = 480_000 * H; // an hour boundary (2024-10-04T00:00Z), hour index 480000
const MIN = 60_000;

describe('window pieces', () => {
  it('reads whole hours from rollups and the partial start hour raw', () => {
    // 1 h ending at T + 5 min: [T - 55 min, T + 5 min]. Head raw [T - 55 min, T - 1 ms]; hour 480000 (the current one) whole.
    const range = { fromMs: T - 55 * MIN, toMs: T + 5 * MIN };
    assert.deepEqual(tailProbe(range), { fromMs: T + 5 * MIN + 1, toMs: T + H - 1 });
    assert.deepEqual(planWindow(range, false), { hours: { fromHour: 480_000, toHour: 480_000 }, raw: [{ fromMs: T - 55 * MIN, toMs: T - 1 }] });
    // Rows after the end in the current hour: that hour is read raw up to the end.
    assert.deepEqual(planWindow(range, true), {
      hours: null,
      raw: [
        { fromMs: T - 55 * MIN, toMs: T - 1 },
        { fromMs: T, toMs: T + 5 * MIN },
      ],
    });
  });

  it('reads a window that starts on an hour boundary without raw rows', () => {
    assert.deepEqual(planWindow({ fromMs: T - 3 * H, toMs: T + 10 * MIN }, false), { hours: { fromHour: 479_997, toHour: 480_000 }, raw: [] });
  });

  it('splits whole hours into whole UTC days and the hours at either end', () => {
    // Hour 480000 is 2024-10-04T00:00Z, the first hour of day 20000.
    assert.deepEqual(splitDays(479_990, 480_060), {
      days: { fromDay: 20_000, toDay: 20_001 },
      hours: [
        { fromHour: 479_990, toHour: 479_999 },
        { fromHour: 480_048, toHour: 480_060 },
      ],
    });
    assert.deepEqual(splitDays(480_000, 480_023), { days: { fromDay: 20_000, toDay: 20_000 }, hours: [] }, 'exactly one day');
    assert.deepEqual(splitDays(480_001, 480_047), { days: { fromDay: 20_001, toDay: 20_001 }, hours: [{ fromHour: 480_001, toHour: 480_023 }] });
    assert.deepEqual(splitDays(480_001, 480_023), { days: null, hours: [{ fromHour: 480_001, toHour: 480_023 }] }, 'no whole day');
    assert.deepEqual(splitDays(479_999, 480_024), {
      days: { fromDay: 20_000, toDay: 20_000 },
      hours: [
        { fromHour: 479_999, toHour: 479_999 },
        { fromHour: 480_024, toHour: 480_024 },
      ],
    });
    assert.deepEqual(splitDays(480_005, 480_004), { days: null, hours: [] });
  });

  it('reads a window inside one hour raw', () => {
    assert.deepEqual(planWindow({ fromMs: T + 10 * MIN, toMs: T + 25 * MIN }, false), { hours: null, raw: [{ fromMs: T + 10 * MIN, toMs: T + 25 * MIN }] });
    assert.equal(tailProbe({ fromMs: T, toMs: T + H - 1 }), null, 'a window ending on the last ms of an hour needs no probe');
  });

  it('adds whole-hour sums and raw rows per skill, with min/max and last time', () => {
    const hourRows = [
      { skill: 'a', hour: 1, invocations: 2, successes: 1, timed: 2, durationSum: 30, durationSqSum: 500, lastAt: 100, durationMin: 10, durationMax: 20 },
    ];
    const raw = [
      { skill: 'a', completed: 1, durationMs: 5, invokedAt: 50 },
      { skill: 'B', completed: 0, durationMs: 7, invokedAt: 60 },
    ];
    assert.deepEqual(mergeWindowTotals(T, hourRows, raw), [
      { skill: 'B', hour: 480_000, invocations: 1, successes: 0, timed: 1, durationSum: 7, durationSqSum: 49, lastAt: 60, durationMin: 7, durationMax: 7 },
      { skill: 'a', hour: 480_000, invocations: 3, successes: 2, timed: 3, durationSum: 35, durationSqSum: 525, lastAt: 100, durationMin: 5, durationMax: 20 },
    ]);
    // 5 ms → bucket 81, 7 ms → 98 (ceil(ln(ms) / ln(1.01 / 0.99))).
    assert.deepEqual(mergeWindowHistograms([{ skill: 'a', buckets: [{ bucket: 81, count: 2 }] }], raw, ['a']), [
      { skill: 'a', buckets: [{ bucket: 81, count: 3 }] },
    ]);
    assert.deepEqual(
      mergeWindowHistograms([], raw, null).map((h) => h.skill),
      ['B', 'a'],
    );
  });

  it('sums raw rows per skill as they are read: the sums of an hourly rollup and the bucketed histogram', () => {
    const sums = new RawEdgeSums();
    sums.add('a', 1, 5, 50, true);
    sums.add('B', true, 0, 60, true);
    sums.add('a', 0, 7, 40, true);
    sums.add('a', 1, 5, 45, true);
    const { totals, histograms } = sums.result();
    assert.deepEqual(totals, [
      { skill: 'a', hour: 0, invocations: 3, successes: 2, timed: 3, durationSum: 17, durationSqSum: 99, lastAt: 50, durationMin: 5, durationMax: 7 },
      { skill: 'B', hour: 0, invocations: 1, successes: 1, timed: 1, durationSum: 0, durationSqSum: 0, lastAt: 60, durationMin: 0, durationMax: 0 },
    ]);
    // 5 ms → bucket 81, 7 ms → 98, 0 ms → the zero bucket (-1).
    assert.deepEqual(histograms, [
      {
        skill: 'a',
        buckets: [
          { bucket: 81, count: 2 },
          { bucket: 98, count: 1 },
        ],
      },
      { skill: 'B', buckets: [{ bucket: -1, count: 1 }] },
    ]);
  });
});
