import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../analytics/prng.js';
import { parseTime } from './iso-time.js';

describe('parseTime', () => {
  it('gives what Date.parse gives, on timestamps of every day of four centuries and on near misses', () => {
    const r = mulberry32(7);
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const cases: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Fields drawn a little past their ranges, so that invalid days, hours and months occur.
      const year = [1999, 2000, 2024, 2026, 2100, 1600, 999, 9999][Math.floor(r() * 8)]!;
      const month = Math.floor(r() * 14);
      const day = Math.floor(r() * 33);
      const hour = Math.floor(r() * 26);
      const minute = Math.floor(r() * 61);
      const second = Math.floor(r() * 61);
      const ms = Math.floor(r() * 1000);
      cases.push(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(ms, 3)}Z`);
    }
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2401, 0, 1); t += 86_400_000 + 3_723_456) cases.push(new Date(t).toISOString());
    const odd = [
      '2026-11-16T17:04:02.602Z',
      '2026-02-30T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-1-01T00:00:00.000Z ',
      '2026-01-01T00:00:00.000+',
      '2026-01-01 00:00:00.000Z',
      '2026-01-0aT00:00:00.000Z',
      '+02026-01-01T00:00:00.00Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01',
      '',
      'not a time at all, 24 ch',
    ];
    for (const s of [...cases, ...odd]) assert.equal(parseTime(s), Date.parse(s), s);
    assert.ok(cases.filter((s) => Number.isNaN(Date.parse(s))).length > 1000, 'invalid timestamps are among the cases');
  });
});
