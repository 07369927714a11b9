import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkWindowHours, formatWindowHours, inWindow, MIN_WINDOW_HOURS, rollingWindow, windowBefore } from './window.js';

const NOW = Date.UTC(2025, 5, 10, 10, 5, 0); // 10:05, five minutes into the hour

describe('rolling window', () => {
  it('is the last N hours ending now, not the clock hours', () => {
    // At 10:05, "the last hour" is 09:05:00.000 – 10:05:00.000, not the 5 minutes since 10:00.
    const w = rollingWindow(NOW, 1);
    assert.deepEqual(w.window, { from: '2025-06-10T09:05:00.000Z', to: '2025-06-10T10:05:00.000Z', hours: 1 });
    assert.equal(inWindow(w, NOW - 60 * 60_000), true, 'exactly 60 minutes ago: inside (inclusive)');
    assert.equal(inWindow(w, NOW - 61 * 60_000), false, '61 minutes ago: outside');
    assert.equal(inWindow(w, NOW + 1), false, 'after now: outside');
  });

  it('takes fractional hours: 0.25 h is exactly the last 15 minutes', () => {
    const w = rollingWindow(NOW, 0.25);
    assert.equal(w.toMs - w.fromMs, 900_000);
    assert.equal(w.window.from, '2025-06-10T09:50:00.000Z');
    assert.equal(inWindow(w, NOW - 900_000), true);
    assert.equal(inWindow(w, NOW - 900_001), false);
  });

  it('puts a baseline right before the window, without overlap', () => {
    const b = windowBefore(rollingWindow(NOW, 1), 24);
    assert.deepEqual(b.window, { from: '2025-06-09T09:05:00.000Z', to: '2025-06-10T09:04:59.999Z', hours: 24 });
  });

  it('accepts 5 minutes to 720 hours and names the field otherwise', () => {
    assert.equal(MIN_WINDOW_HOURS, 0.0833);
    checkWindowHours(5 / 60);
    checkWindowHours(0.0833); // the figure the message below prints is accepted
    assert.throws(() => checkWindowHours(0.0832), /time_window_hours/);
    checkWindowHours(720);
    assert.throws(() => checkWindowHours(0.08), /time_window_hours: must be a number of hours from 5 minutes \(0\.0833 h\) to 720/);
    assert.throws(() => checkWindowHours(720.5), /time_window_hours/);
    assert.throws(() => checkWindowHours(Number.NaN, 'window-hours'), /window-hours/);
  });

  it('says a window under an hour in minutes, others in hours (never "0.0833 h")', () => {
    assert.equal(formatWindowHours(MIN_WINDOW_HOURS), '5 min');
    assert.equal(formatWindowHours(5 / 60), '5 min');
    assert.equal(formatWindowHours(0.25), '15 min');
    assert.equal(formatWindowHours(0.5), '30 min');
    assert.equal(formatWindowHours(0.11), '6.6 min');
    assert.equal(formatWindowHours(0.9999), '1 h'); // 59.994 minutes: an hour, not "60 min"
    assert.equal(formatWindowHours(1), '1 h');
    assert.equal(formatWindowHours(1.5), '1.5 h');
    assert.equal(formatWindowHours(3), '3 h');
    assert.equal(formatWindowHours(23.5), '23.5 h');
    assert.equal(formatWindowHours(24), '24 h');
    assert.equal(formatWindowHours(2.0833), '2.08 h');
    assert.equal(formatWindowHours(720), '720 h');
  });
});
