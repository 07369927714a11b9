import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricSums, seriesKey } from './metric-sums.js';

const NS = (ms: number) => `${ms}000000`;

describe('MetricSums', () => {
  it('sums delta points and ignores a resend of the same point', () => {
    const s = new MetricSums(0);
    const a = seriesKey('cost', { model: 'm' });
    const incs = [
      s.increment({ series: a, temporality: 1, startNano: NS(1000), timeNano: NS(2000), value: 0.5 }),
      s.increment({ series: a, temporality: 1, startNano: NS(2000), timeNano: NS(3000), value: 0.25 }),
      // the same export sent again after a timeout
      s.increment({ series: a, temporality: 1, startNano: NS(2000), timeNano: NS(3000), value: 0.25 }),
      // an older export sent again
      s.increment({ series: a, temporality: 1, startNano: NS(1000), timeNano: NS(2000), value: 0.5 }),
      s.increment({ series: a, temporality: 1, startNano: NS(3000), timeNano: NS(4000), value: 1 }),
    ];
    assert.deepEqual(incs, [0.5, 0.25, 0, 0, 1]);
  });

  it('keeps series apart by attributes', () => {
    const s = new MetricSums(0);
    assert.equal(s.increment({ series: seriesKey('t', { type: 'input' }), temporality: 1, startNano: '0', timeNano: NS(10), value: 5 }), 5);
    assert.equal(s.increment({ series: seriesKey('t', { type: 'output' }), temporality: 1, startNano: '0', timeNano: NS(10), value: 7 }), 7);
    assert.equal(s.size, 2);
  });

  it('differences cumulative points against the last point of the same start time, and restarts on a new start', () => {
    const s = new MetricSums(500);
    const a = seriesKey('tokens', {});
    const incs = [
      s.increment({ series: a, temporality: 2, startNano: NS(1000), timeNano: NS(2000), value: 10 }), // started after the receiver: counts in full
      s.increment({ series: a, temporality: 2, startNano: NS(1000), timeNano: NS(3000), value: 25 }),
      s.increment({ series: a, temporality: 2, startNano: NS(1000), timeNano: NS(3000), value: 25 }), // resend
      s.increment({ series: a, temporality: 2, startNano: NS(5000), timeNano: NS(6000), value: 4 }), // sender restarted
      s.increment({ series: a, temporality: 2, startNano: NS(5000), timeNano: NS(7000), value: 3 }), // lower value: a reset too
      s.increment({ series: a, temporality: 2, startNano: NS(1000), timeNano: NS(3000), value: 25 }), // late resend from the first run
    ];
    assert.deepEqual(incs, [10, 15, 0, 4, 3, 0]);
  });

  it('takes the first cumulative point of a series that started before the receiver as a baseline only', () => {
    const s = new MetricSums(10_000);
    const a = seriesKey('tokens', {});
    assert.equal(s.increment({ series: a, temporality: 2, startNano: NS(1000), timeNano: NS(20_000), value: 900 }), 0);
    assert.equal(s.increment({ series: a, temporality: 2, startNano: NS(1000), timeNano: NS(30_000), value: 950 }), 50);
  });

  it('forgets the oldest series past the cap', () => {
    const s = new MetricSums(0, 2);
    for (const k of ['a', 'b', 'c']) s.increment({ series: k, temporality: 1, startNano: '0', timeNano: NS(1), value: 1 });
    assert.equal(s.size, 2);
    // 'a' was forgotten, so its resend counts again; 'c' is remembered and does not
    assert.equal(s.increment({ series: 'c', temporality: 1, startNano: '0', timeNano: NS(1), value: 1 }), 0);
  });
});
