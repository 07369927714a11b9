/**
 * The daily rollups (migration 0016) on every back-end: maintained with the
 * hourly ones, filled from them by the migration, and a long window read as
 * whole days + whole hours + raw edges gives exactly what summing every hour
 * of it gives (and what the raw rows give), on random data; calls without a
 * measured duration among them (metadata.duration_source 'unknown') count in
 * the invocations and in no duration figure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mulberry32 } from '../analytics/prng.js';
import { HOUR_MS, type HourlyRollup, type SkillHistogram } from '../analytics/types.js';
import type { TimeRange } from '../analytics/window.js';
import type { PgStore } from './postgres/store.js';
import { testBackends, testTracker, type OpenedBackend } from '../testing/backends.js';
import type { EdgeHourCache } from './edge-hours.js';
import { groupHistograms, type HistRow } from './window-histograms.js';
import { mergeWindowHistograms, mergeWindowTotals, planWindow, type RawWindowRow } from './window-pieces.js';

const NOW = Date.UTC(2025, 5, 10, 12, 34, 56, 789);
const DAY_MS = 24 * HOUR_MS;
const SKILLS = ['alpha', 'beta', 'gamma', 'delta', 'eps'];

interface Inv {
  skill_name: string;
  user_id: string;
  session_id: string;
  workflow_phase: string;
  completed: boolean;
  duration_ms: number;
  invoked_at: number;
  /** duration_source 'unknown': the hooks could not measure the call. */
  metadata?: { duration_source: 'unknown' };
}

const known = (x: Inv) => x.metadata?.duration_source !== 'unknown';

/** Random invocations over the last 45 days, denser towards now, a few in the 5 minutes after now. */
function randomInvocations(seed: number, n: number): Inv[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const u = rnd();
    const at = i % 97 === 0 ? NOW + Math.floor(rnd() * 4 * 60_000) : NOW - Math.floor(u * u * 45 * DAY_MS);
    const r = rnd();
    const inv: Inv = {
      skill_name: SKILLS[Math.floor(rnd() * SKILLS.length)]!,
      user_id: `u${i % 7}`,
      session_id: `s${i % 23}`,
      workflow_phase: 'testing',
      completed: rnd() < 0.8,
      duration_ms: r < 0.05 ? 0 : Math.floor(Math.exp(rnd() * 12)),
      invoked_at: at,
    };
    // About one in ten not measured (0 ms stored); every one of 'eps' in one hour of each day.
    if (rnd() < 0.1 || (inv.skill_name === 'eps' && Math.floor(at / HOUR_MS) % 24 === 5)) {
      Object.assign(inv, { metadata: { duration_source: 'unknown' }, duration_ms: 0 });
    }
    return inv;
  });
}

const num = (v: unknown) => Number(v);

/** Reads the old way: every whole hour from skill_hourly, the raw edges from the generated rows. */
async function hourlyPlan(b: OpenedBackend, range: TimeRange, all: readonly Inv[]): Promise<{ totals: HourlyRollup[]; hist: SkillHistogram[] }> {
  const inRange = (r: TimeRange) => all.filter((x) => x.invoked_at >= r.fromMs && x.invoked_at <= r.toMs);
  const later = all.some((x) => x.invoked_at > range.toMs && Math.floor(x.invoked_at / HOUR_MS) === Math.floor(range.toMs / HOUR_MS));
  const plan = planWindow(range, later);
  const raw: RawWindowRow[] = plan.raw.flatMap(inRange).map((x) => ({
    skill: x.skill_name,
    completed: x.completed,
    durationMs: x.duration_ms,
    invokedAt: x.invoked_at,
    durationKnown: known(x),
  }));
  let hours: HourlyRollup[] = [];
  let hist: SkillHistogram[] = [];
  if (plan.hours) {
    const { fromHour, toHour } = plan.hours;
    hours = (
      await b.query<Record<string, unknown>>(
        `SELECT s.name AS skill, h.hour, h.invocations, h.successes, h.timed, h.duration_sum, h.duration_sq_sum, h.last_at, h.duration_min, h.duration_max
         FROM skill_hourly h JOIN skills s ON s.id = h.skill_id WHERE h.hour BETWEEN ${fromHour} AND ${toHour}`,
      )
    ).map((r) => ({
      skill: r.skill as string,
      hour: num(r.hour),
      invocations: num(r.invocations),
      successes: num(r.successes),
      timed: num(r.timed),
      durationSum: num(r.duration_sum),
      durationSqSum: num(r.duration_sq_sum),
      lastAt: num(r.last_at),
      durationMin: num(r.duration_min),
      durationMax: num(r.duration_max),
    }));
    hist = groupHistograms(
      (
        await b.query<Record<string, unknown>>(
          `SELECT s.name AS skill, d.bucket, sum(d.count) AS count FROM skill_hourly_durations d JOIN skills s ON s.id = d.skill_id
           WHERE d.hour BETWEEN ${fromHour} AND ${toHour} GROUP BY s.name, d.bucket ORDER BY s.name, d.bucket`,
        )
      ).map((r): HistRow => ({ skill: r.skill as string, bucket: num(r.bucket), count: num(r.count) })),
    );
  }
  return { totals: mergeWindowTotals(range.fromMs, hours, raw), hist: mergeWindowHistograms(hist, raw, null) };
}

/** From the raw rows alone. */
function fromRaw(range: TimeRange, all: readonly Inv[]): { totals: HourlyRollup[]; hist: SkillHistogram[] } {
  const raw = all
    .filter((x) => x.invoked_at >= range.fromMs && x.invoked_at <= range.toMs)
    .map((x) => ({ skill: x.skill_name, completed: x.completed, durationMs: x.duration_ms, invokedAt: x.invoked_at, durationKnown: known(x) }));
  return { totals: mergeWindowTotals(range.fromMs, [], raw), hist: mergeWindowHistograms([], raw, null) };
}

/** The daily trend rows (dailyTotals) of whole hours [fromHour, toHour] from the raw rows. */
function dailyFromRaw(fromHour: number, toHour: number, skills: readonly string[], all: readonly Inv[]): HourlyRollup[] {
  const by = new Map<string, HourlyRollup>();
  for (const x of all) {
    const hour = Math.floor(x.invoked_at / HOUR_MS);
    if (hour < fromHour || hour > toHour || !skills.includes(x.skill_name)) continue;
    const day = Math.floor(hour / 24) * 24;
    const k = `${x.skill_name} ${day}`;
    let r = by.get(k);
    if (!r) by.set(k, (r = { skill: x.skill_name, hour: day, invocations: 0, successes: 0, timed: 0, durationSum: 0, durationSqSum: 0, lastAt: -Infinity }));
    r.invocations++;
    if (x.completed) r.successes++;
    r.lastAt = Math.max(r.lastAt, x.invoked_at);
    if (!known(x)) continue;
    r.timed++;
    r.durationSum += x.duration_ms;
    r.durationSqSum += x.duration_ms * x.duration_ms;
  }
  return [...by.values()].sort((a, b) => (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : a.hour - b.hour));
}

/** Windows of 5 minutes to 40 days, ending now, at random past times, on day and hour boundaries. */
function randomRanges(seed: number, n: number): TimeRange[] {
  const rnd = mulberry32(seed);
  const lengths = [5 * 60_000, HOUR_MS, 23 * HOUR_MS, DAY_MS, 25 * HOUR_MS, 7 * DAY_MS, 21 * DAY_MS, 30 * DAY_MS, 40 * DAY_MS];
  const out: TimeRange[] = [];
  const dayStart = Math.floor(NOW / DAY_MS) * DAY_MS;
  out.push({ fromMs: dayStart - 3 * DAY_MS, toMs: dayStart - 1 }); // exactly three whole days
  out.push({ fromMs: dayStart - 3 * DAY_MS + HOUR_MS, toMs: dayStart + HOUR_MS - 1 }); // whole hours across day boundaries
  for (let i = 0; i < n; i++) {
    const len = rnd() < 0.5 ? lengths[Math.floor(rnd() * lengths.length)]! : Math.floor(rnd() * 40 * DAY_MS) + 300_000;
    const end = rnd() < 0.5 ? NOW : NOW - Math.floor(rnd() * 10 * DAY_MS);
    out.push({ fromMs: end - len, toMs: end });
  }
  return out;
}

describe('daily rollups', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let all: Inv[];

      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        all = randomInvocations(7, 3000);
        const { tracker } = testTracker(b.store, () => NOW);
        // Batches of different sizes and single writes, so rows of one day arrive in many transactions.
        await tracker.trackBatch(all.slice(0, 1800));
        for (let i = 1800; i < 1900; i++) await tracker.track(all[i]!);
        await tracker.trackBatch(all.slice(1900, 2500));
        await tracker.trackBatch(all.slice(2500));
      });
      after(async () => {
        await b?.dispose();
      });

      const dailyFromHourly = () =>
        b.query<Record<string, unknown>>(`SELECT skill_id, hour / 24 AS day, sum(invocations) AS n, sum(successes) AS ok, sum(timed) AS t,
          sum(duration_sum) AS s, sum(duration_sq_sum) AS sq, max(last_at) AS last,
          coalesce(min(CASE WHEN timed > 0 THEN duration_min END), 0) AS lo, coalesce(max(CASE WHEN timed > 0 THEN duration_max END), 0) AS hi
          FROM skill_hourly GROUP BY skill_id, hour / 24 ORDER BY 1, 2`);
      const daily = () =>
        b.query<Record<string, unknown>>(`SELECT skill_id, day, invocations AS n, successes AS ok, timed AS t, duration_sum AS s, duration_sq_sum AS sq,
          last_at AS last, duration_min AS lo, duration_max AS hi FROM skill_daily ORDER BY 1, 2`);
      const dailyHistFromHourly = () =>
        b.query<Record<string, unknown>>(
          'SELECT skill_id, hour / 24 AS day, bucket, sum(count) AS count FROM skill_hourly_durations GROUP BY skill_id, hour / 24, bucket ORDER BY 1, 2, 3',
        );
      const dailyHist = () => b.query<Record<string, unknown>>('SELECT skill_id, day, bucket, count FROM skill_daily_durations ORDER BY 1, 2, 3');
      const norm = (rows: Record<string, unknown>[]) => rows.map((r) => Object.values(r).map(num));

      it('keeps each day equal to the sum of its hours, histograms included', async () => {
        const days = norm(await daily());
        assert.ok(days.length > 40, `${days.length} skill-days`);
        // Some days hold unmeasured calls (timed < invocations): the test sees them.
        assert.ok(
          days.some((d) => d[4]! < d[2]!),
          'days with unmeasured invocations',
        );
        assert.deepEqual(days, norm(await dailyFromHourly()));
        assert.deepEqual(norm(await dailyHist()), norm(await dailyHistFromHourly()));
      });

      it('reads long windows as days + hours + raw edges exactly as the sum of every hour, and as the raw rows', async () => {
        const q = b.stores.analyticsQueries;
        for (const range of randomRanges(11, 40)) {
          const expected = await hourlyPlan(b, range, all);
          const label = `window ${new Date(range.fromMs).toISOString()} .. ${new Date(range.toMs).toISOString()}`;
          assert.deepEqual(await q.windowTotals(range), expected.totals, label);
          assert.deepEqual(await q.windowHistograms(range, null), expected.hist, label);
          assert.deepEqual(await q.windowHistograms(range, ['beta', 'delta']), mergeWindowHistograms(expected.hist, [], ['beta', 'delta']), label);
          const raw = fromRaw(range, all);
          assert.deepEqual(expected.totals, raw.totals, label);
          assert.deepEqual(expected.hist, raw.hist, label);
        }
      });

      it('reads the daily trend (dailyTotals) as whole days + edge hours exactly as the raw rows per day', async () => {
        const rnd = mulberry32(23);
        const nowHour = Math.floor(NOW / HOUR_MS);
        for (let i = 0; i < 30; i++) {
          const toHour = i === 0 ? nowHour : nowHour - Math.floor(rnd() * 240);
          const fromHour = i === 1 ? toHour - 30 * 24 + 1 : toHour - Math.floor(rnd() * 45 * 24);
          const skills = i % 3 === 0 ? SKILLS : SKILLS.filter(() => rnd() < 0.6);
          const expected = dailyFromRaw(fromHour, toHour, skills, all);
          const got = await b.stores.analyticsQueries.dailyTotals({ fromHour, toHour, skills });
          assert.deepEqual(got, expected, `hours ${fromHour}..${toHour} ${skills.join(',')}`);
        }
      });

      it('reads a window starting inside a past hour from its per-minute summary, rebuilt after a write into that hour', async () => {
        const q = b.stores.analyticsQueries;
        const cache = (q as unknown as { edgeHours: EdgeHourCache }).edgeHours;
        const { tracker } = testTracker(b.store, () => NOW);
        const check = async (range: TimeRange) => {
          const label = `window ${new Date(range.fromMs).toISOString()} .. ${new Date(range.toMs).toISOString()}`;
          const expected = fromRaw(range, all);
          assert.deepEqual(await q.windowTotals(range), expected.totals, label);
          assert.deepEqual(await q.windowHistograms(range, null), expected.hist, label);
          assert.deepEqual(await q.windowHistograms(range, ['alpha', 'gamma']), mergeWindowHistograms(expected.hist, [], ['alpha', 'gamma']), label);
        };
        // 1 h and 24 h windows ending now start in the same past hour (11:34:56.789); others start on or off minute boundaries.
        const edgeHour = Math.floor((NOW - HOUR_MS) / HOUR_MS);
        const ranges: TimeRange[] = [
          { fromMs: NOW - HOUR_MS, toMs: NOW },
          { fromMs: NOW - DAY_MS, toMs: NOW },
          { fromMs: edgeHour * HOUR_MS + 20 * 60_000, toMs: NOW },
          { fromMs: edgeHour * HOUR_MS + 59 * 60_000 + 1, toMs: NOW },
          { fromMs: edgeHour * HOUR_MS + 5 * 60_000 + 17, toMs: edgeHour * HOUR_MS + 40 * 60_000 + 3 },
        ];
        const before = { ...cache.stats };
        for (const range of ranges) await check(range);
        const first = { hits: cache.stats.hits - before.hits, builds: cache.stats.builds - before.builds };
        assert.ok(first.builds >= 1, `built ${first.builds}`);
        assert.ok(first.hits >= 5, `hits ${first.hits}`);
        for (const range of ranges) await check(range);
        assert.equal(cache.stats.builds - before.builds, first.builds, 'the second round is answered from the kept summaries');

        // Writes into the edge hour: inside a whole minute of the window, in its partial first minute, and before it.
        const added: Inv[] = [
          { ...all[0]!, skill_name: 'beta', completed: true, duration_ms: 987_654, invoked_at: edgeHour * HOUR_MS + 50 * 60_000 + 123 },
          { ...all[0]!, skill_name: 'zeta', completed: false, duration_ms: 3, invoked_at: NOW - HOUR_MS + 1 },
          { ...all[0]!, skill_name: 'alpha', completed: true, duration_ms: 0, invoked_at: edgeHour * HOUR_MS + 10 },
        ];
        for (const inv of added) {
          await tracker.track(inv);
          all.push(inv);
          const builds = cache.stats.builds;
          for (const range of ranges) await check(range);
          assert.ok(cache.stats.builds > builds, 'a write into the hour rebuilds its summary');
          const hits = cache.stats.hits;
          for (const range of ranges) await check(range);
          assert.ok(cache.stats.hits > hits, 'the rebuilt summary is used again');
        }
      });

      it('reads past days and hours again after a late write into them (whole days and hours kept in memory)', async () => {
        const q = b.stores.analyticsQueries;
        const { tracker } = testTracker(b.store, () => NOW);
        const nowHour = Math.floor(NOW / HOUR_MS);
        const windows = [
          { fromHour: nowHour - 30 * 24 + 1, toHour: nowHour, skills: ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta'] },
          { fromHour: nowHour - 9 * 24 - 5, toHour: nowHour - 2 * 24 + 3, skills: ['beta', 'delta'] },
        ];
        const check = async (label: string) => {
          for (const w of windows) {
            const range = { fromMs: w.fromHour * HOUR_MS, toMs: w.toHour === nowHour ? NOW : (w.toHour + 1) * HOUR_MS - 1 };
            const expected = fromRaw(range, all);
            const l = `${label}: hours ${w.fromHour}..${w.toHour} ${w.skills.join(',')}`;
            assert.deepEqual(await q.windowTotals(range), expected.totals, l);
            assert.deepEqual(await q.windowHistograms(range, w.skills), mergeWindowHistograms(expected.hist, [], w.skills), l);
            assert.deepEqual(await q.dailyTotals(w), dailyFromRaw(w.fromHour, w.toHour, w.skills, all), l);
          }
        };
        await check('first read');
        await check('second read');
        type Cache = { stats: { hits: number; reads: number } };
        const caches = (q as unknown as { dayHistograms?: Cache }).dayHistograms ? (q as unknown as Record<string, Cache>) : null;
        const reads = () =>
          caches ? ['dayHistograms', 'hourHistograms', 'dayRows', 'hourRows', 'dayTotals', 'hourTotals'].map((k) => caches[k]!.stats.reads) : [];
        const before = reads();
        await check('third read');
        assert.deepEqual(reads(), before, 'unchanged periods are not read again');
        // Late writes: into a whole past day of both windows, into an edge hour of the first window's start, a new skill in a past day.
        const added: Inv[] = [
          { ...all[0]!, skill_name: 'beta', completed: false, duration_ms: 4321, invoked_at: NOW - 5 * DAY_MS },
          { ...all[0]!, skill_name: 'delta', completed: true, duration_ms: 0, invoked_at: windows[0]!.fromHour * HOUR_MS + 17 },
          { ...all[0]!, skill_name: 'zeta', completed: true, duration_ms: 77, invoked_at: NOW - 6 * DAY_MS - 3 * HOUR_MS },
        ];
        for (const inv of added) {
          await tracker.track(inv);
          all.push(inv);
          await check(`after a write at ${new Date(inv.invoked_at).toISOString()}`);
        }
        if (caches)
          assert.ok(
            reads().some((n, i) => n > before[i]!),
            'the written periods were read again',
          );
      });

      it('fills the daily rollups from the hourly ones when migrating, and drops them when going back', async () => {
        const m = b.stores.sqlite?.migrator ?? (b.store as PgStore).migrator;
        const before16 = norm(await daily());
        await m.to(15);
        await assert.rejects(b.query('SELECT count(*) FROM skill_daily'));
        await m.to(m.latestVersion);
        assert.deepEqual(norm(await daily()), before16);
        assert.deepEqual(norm(await dailyHist()), norm(await dailyHistFromHourly()));
      });
    });
  }
});
