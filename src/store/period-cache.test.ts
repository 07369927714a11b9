/**
 * PeriodCache: a period is read once and answered from memory while its
 * version is unchanged, read again when its version changes, the least
 * recently used goes beyond the capacity, and a segment is recombined only
 * when one of its periods changed; per-period histograms summed exactly as
 * counting every bucket one by one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../analytics/prng.js';
import { combineHistograms, PeriodCache, periodHistograms, periodVersions, sumPeriodHistograms } from './period-cache.js';

describe('PeriodCache', () => {
  /** A "database" of periods → value, with the periods each read asked for. */
  const source = (data: Map<number, string>) => {
    const asked: number[][] = [];
    const read = (periods: number[]) => {
      asked.push(periods);
      return new Map(periods.filter((p) => data.has(p)).map((p) => [p, data.get(p)!] as const));
    };
    return { asked, read };
  };

  it('reads a period once, again only when its version changes, and keeps the periods in order', () => {
    const data = new Map([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    const { asked, read } = source(data);
    const cache = new PeriodCache<string, string>(10, (p) => p.join(''));
    const v = (entries: [number, string][]) => new Map(entries);
    const unchanged = () =>
      cache.pieces(
        v([
          [1, '1:1'],
          [2, '1:1'],
          [3, '1:1'],
        ]),
        read,
        () => '',
      );
    assert.deepEqual(unchanged(), ['a', 'b', 'c']);
    assert.deepEqual(asked, [[1, 2, 3]]);
    assert.deepEqual(unchanged(), ['a', 'b', 'c']);
    assert.equal(asked.length, 1, 'unchanged versions: answered from memory');
    data.set(2, 'B');
    assert.deepEqual(
      cache.pieces(
        v([
          [1, '1:1'],
          [2, '1:2'],
          [3, '1:1'],
        ]),
        read,
        () => '',
      ),
      ['a', 'B', 'c'],
      'a changed period is read again, in its place',
    );
    assert.deepEqual(asked[1], [2]);
    assert.deepEqual(cache.stats, { hits: 5, reads: 4, segmentHits: 0 });
    // A period the read does not return (no rows) is empty.
    assert.deepEqual(
      cache.pieces(v([[4, '0:0']]), read, () => '-'),
      ['-'],
    );
  });

  it('drops the least recently used period beyond its capacity', () => {
    const data = new Map([1, 2, 3, 4].map((p) => [p, `v${p}`] as const));
    const { asked, read } = source(data);
    const cache = new PeriodCache<string, string>(2, (p) => p.join(''));
    const v = (...ps: number[]) => new Map(ps.map((p) => [p, 'x'] as const));
    cache.pieces(v(1, 2), read, () => '');
    cache.pieces(v(1), read, () => ''); // 1 is now the most recent
    cache.pieces(v(3), read, () => ''); // evicts 2
    assert.equal(cache.size, 2);
    cache.pieces(v(1, 3), read, () => '');
    assert.equal(asked.length, 2, '1 and 3 kept');
    cache.pieces(v(2), read, () => '');
    assert.deepEqual(asked.at(-1), [2], '2 was dropped and is read again');
  });

  it('recombines a segment only when the version of one of its periods changed', () => {
    const data = new Map([
      [1, 'a'],
      [2, 'b'],
    ]);
    const { read } = source(data);
    let combined = 0;
    const cache = new PeriodCache<string, string>(10, (p) => {
      combined++;
      return p.join('+');
    });
    const v1 = new Map([
      [1, '1:1'],
      [2, '1:1'],
    ]);
    assert.equal(
      cache.segment('1:2', v1, read, () => ''),
      'a+b',
    );
    assert.equal(
      cache.segment('1:2', new Map(v1), read, () => ''),
      'a+b',
    );
    assert.equal(combined, 1);
    data.set(2, 'c');
    assert.equal(
      cache.segment('1:2', new Map([...v1, [2, '2:3']]), read, () => ''),
      'a+c',
    );
    assert.equal(combined, 2);
    // Another range is another segment (the same periods' pieces are reused).
    assert.equal(
      cache.segment('2:2', new Map([[2, '2:3']]), read, () => ''),
      'c',
    );
    assert.equal(cache.stats.segmentHits, 1);
  });

  it('builds versions from (period, rows, sum) rows', () => {
    assert.deepEqual(
      periodVersions([
        [10, 3, 42],
        [11, 1, 1],
      ]),
      new Map([
        [10, '3:42'],
        [11, '1:1'],
      ]),
    );
  });
});

describe('period histograms', () => {
  it('sum per skill exactly as counting every bucket, in any row order, for the wanted skills only', () => {
    const rnd = mulberry32(5);
    const skills = ['b', 'a', 'c', 'é'];
    const rows: [number, string, number, number][] = [];
    for (let period = 0; period < 12; period++) {
      for (const skill of skills) {
        if (rnd() < 0.2) continue;
        const buckets = new Set<number>();
        for (let i = 0; i < 30; i++) buckets.add(Math.floor(rnd() * 900) - 1);
        for (const bucket of buckets) rows.push([period, skill, bucket, 1 + Math.floor(rnd() * 50)]);
      }
    }
    // Shuffled: periodHistograms sorts each period's buckets.
    rows.sort(() => rnd() - 0.5);
    const pieces = [...periodHistograms(rows).values()];
    const expected = (wanted: string[]) => {
      const by = new Map<string, Map<number, number>>();
      for (const [, skill, bucket, count] of rows) {
        if (!wanted.includes(skill)) continue;
        const m = by.get(skill) ?? new Map<number, number>();
        m.set(bucket, (m.get(bucket) ?? 0) + count);
        by.set(skill, m);
      }
      return [...by.entries()]
        .sort((x, y) => (x[0] < y[0] ? -1 : 1))
        .map(([skill, m]) => ({ skill, buckets: [...m.entries()].sort((x, y) => x[0] - y[0]).map(([bucket, count]) => ({ bucket, count })) }));
    };
    assert.deepEqual(sumPeriodHistograms(pieces, ['c', 'a', 'a', 'zz']), expected(['a', 'c']));
    assert.deepEqual(sumPeriodHistograms(pieces, skills), expected(skills));
    // Combined in two segments, then summed: the same.
    const combined = [combineHistograms(pieces.slice(0, 5)), combineHistograms(pieces.slice(5))];
    assert.deepEqual(sumPeriodHistograms(combined, skills), expected(skills));
  });
});
