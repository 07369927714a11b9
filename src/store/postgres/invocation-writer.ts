/**
 * PostgreSQL write path: the same rows and rollups as the SQLite writer, in
 * one transaction, with set-based statements (unnest arrays) so a batch
 * costs a fixed number of round trips. Session and user rows touched by the
 * batch are locked first, so concurrent writers from several instances
 * cannot both count the same "new skill in this session" or "new user of
 * this skill".
 */
import type pg from 'pg';
import { classifySkill } from '../../analytics/taxonomy.js';
import type { NormalizedInvocation, WriteResult } from '../types.js';
import { computeRollupDeltas, HOUR_SPACE, type ResolvedInvocation, SKILL_SPACE, splitKey, storedMax, storedMin } from '../rollup-deltas.js';
import { inTransaction } from './pool.js';

type Q = pg.PoolClient;

/** Map entries in key order: concurrent transactions then lock rows in the same order (no deadlocks). */
/** The min/max merge of an upsert: a side with no measured invocation (timed = 0, stored as 0) keeps the other's range. */
function mergeRange(table: string): string {
  const pick = (col: string, fn: string) =>
    `${col} = CASE WHEN excluded.timed = 0 THEN ${table}.${col} WHEN ${table}.timed = 0 THEN excluded.${col} ELSE ${fn}(${table}.${col}, excluded.${col}) END`;
  return `${pick('duration_min', 'LEAST')}, ${pick('duration_max', 'GREATEST')}`;
}

function sorted<V>(map: Map<number, V>): [number, V][] {
  return [...map].sort((a, b) => a[0] - b[0]);
}

const RETRYABLE = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure

async function idsByKey(client: Q, sql: string, keys: string[]): Promise<Map<string, number>> {
  const { rows } = await client.query<{ id: number; k: string }>(sql, [keys]);
  return new Map(rows.map((r) => [r.k, r.id]));
}

export class PgInvocationWriter {
  private readonly skillIds = new Map<string, number>();

  constructor(private readonly pool: pg.Pool) {}

  async write(batch: NormalizedInvocation[]): Promise<WriteResult> {
    if (batch.length === 0) return { ids: [], inserted: 0, duplicates: 0 };
    return (await this.writeWith(batch, async () => undefined)).result;
  }

  /**
   * Writes the batch and its rollups, then runs `also` (other writes, e.g. the batch's cost rows) on the
   * same client, all in one transaction: if `also` fails, the batch is not stored either. A retried
   * transaction (deadlock, serialization failure) runs `also` again.
   */
  async writeWith<T>(batch: NormalizedInvocation[], also: (client: Q) => Promise<T>): Promise<{ result: WriteResult; also: T }> {
    const newSkills = new Map<string, number>();
    let out: { result: WriteResult; also: T };
    for (let attempt = 1; ; attempt++) {
      try {
        out = await inTransaction(this.pool, async (client) => {
          const result = batch.length === 0 ? { ids: [], inserted: 0, duplicates: 0 } : await this.apply(client, batch, newSkills);
          return { result, also: await also(client) };
        });
        break;
      } catch (err) {
        if (attempt >= 5 || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
        newSkills.clear();
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
      }
    }
    for (const [k, v] of newSkills) this.skillIds.set(k, v);
    return out;
  }

  private async apply(client: Q, batch: NormalizedInvocation[], newSkills: Map<string, number>): Promise<WriteResult> {
    // 1. Intern skills (cached: new skills are rare).
    const skillNames = [...new Set(batch.map((b) => b.skillName))];
    const skills = new Map<string, number>();
    const unknown: string[] = [];
    for (const n of skillNames) {
      const id = this.skillIds.get(n);
      if (id === undefined) unknown.push(n);
      else skills.set(n, id);
    }
    if (unknown.length > 0) {
      const firstAt = new Map<string, number>();
      for (const b of batch) if (!firstAt.has(b.skillName) || b.invokedAt < firstAt.get(b.skillName)!) firstAt.set(b.skillName, b.invokedAt);
      const cls = unknown.map(classifySkill);
      await client.query(
        `INSERT INTO skills (name, category_id, modality_id, first_seen_at)
         SELECT x.n, (SELECT id FROM skill_categories WHERE name = x.c), (SELECT id FROM skill_modalities WHERE name = x.m), x.t
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS x(n, c, m, t) ORDER BY x.n
         ON CONFLICT (name) DO NOTHING`,
        [unknown, cls.map((c) => c.category), cls.map((c) => c.modality), unknown.map((n) => firstAt.get(n))],
      );
      for (const [k, id] of await idsByKey(client, 'SELECT id, name AS k FROM skills WHERE name = ANY($1)', unknown)) {
        skills.set(k, id);
        newSkills.set(k, id);
      }
    }

    // 2. Users and sessions (inserted, or locked when they exist: ON CONFLICT DO UPDATE takes the row lock, and
    //    xmax = 0 tells a fresh row), and the raw rows, in one statement. Keys go in sorted order, so concurrent
    //    writers lock in the same order; the dedupe index skips repeats, and so does a key whose row `archive`
    //    moved out (archived_dedupe_keys, brought here by migrate-store).
    const firstBySession = new Map<string, NormalizedInvocation>();
    for (const b of batch) if (!firstBySession.has(b.sessionKey)) firstBySession.set(b.sessionKey, b);
    const sessionKeys = [...firstBySession.keys()].sort();
    const firsts = sessionKeys.map((k) => firstBySession.get(k)!);
    const { rows: resolved } = await client.query<{ kind: 'u' | 's' | 'i'; id: number | string; k: string; fresh: boolean }>(
      `WITH u AS (
         INSERT INTO users (user_hash) SELECT h FROM unnest($1::text[]) AS h ORDER BY h
         ON CONFLICT (user_hash) DO UPDATE SET user_hash = excluded.user_hash
         RETURNING id, user_hash, xmax = 0 AS fresh
       ), s AS (
         INSERT INTO sessions (session_key, user_id, project, agent, first_at, last_at)
         SELECT x.k, u.id, x.p, x.a, x.t, x.t FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS x(k, h, p, a, t)
         JOIN u ON u.user_hash = x.h ORDER BY x.k
         ON CONFLICT (session_key) DO UPDATE SET session_key = excluded.session_key
         RETURNING id, session_key, xmax = 0 AS fresh
       ), i AS (
         INSERT INTO skill_invocations (id, skill_id, session_id, user_id, workflow_phase, completed, duration_ms, error_type, invoked_at, project, agent, metadata, dedupe_key,
           activation_trigger, slash_after_miss, duration_known)
         SELECT x.id, x.skill, s.id, u.id, x.phase, x.ok, x.dur, x.err, x.at, x.p, x.a, x.meta, x.dk, x.tr, x.sam, x.dkn
         FROM unnest($7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::int[], $13::bigint[], $14::text[], $15::bigint[], $16::text[], $17::text[], $18::text[], $19::text[],
           $20::text[], $21::smallint[], $22::smallint[])
           WITH ORDINALITY AS x(id, skill, sk, h, phase, ok, dur, err, at, p, a, meta, dk, tr, sam, dkn, n)
         JOIN s ON s.session_key = x.sk JOIN u ON u.user_hash = x.h
         WHERE NOT EXISTS (SELECT 1 FROM archived_dedupe_keys a WHERE a.dedupe_key = x.dk) ORDER BY x.n
         ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id
       )
       SELECT 'u' AS kind, id, user_hash AS k, fresh FROM u
       UNION ALL SELECT 's', id, session_key, fresh FROM s
       UNION ALL SELECT 'i', 0, id, true FROM i`,
      [
        [...new Set(batch.map((b) => b.userHash))],
        sessionKeys,
        firsts.map((f) => f.userHash),
        firsts.map((f) => f.project),
        firsts.map((f) => f.agent),
        firsts.map((f) => f.invokedAt),
        batch.map((b) => b.id),
        batch.map((b) => skills.get(b.skillName)),
        batch.map((b) => b.sessionKey),
        batch.map((b) => b.userHash),
        batch.map((b) => b.workflowPhase),
        batch.map((b) => (b.completed ? 1 : 0)),
        batch.map((b) => b.durationMs),
        batch.map((b) => b.errorType),
        batch.map((b) => b.invokedAt),
        batch.map((b) => b.project),
        batch.map((b) => b.agent),
        batch.map((b) => b.metadata),
        batch.map((b) => b.dedupeKey),
        batch.map((b) => b.trigger ?? null),
        batch.map((b) => (b.slashAfterMiss == null ? null : b.slashAfterMiss ? 1 : 0)),
        batch.map((b) => (b.durationKnown === false ? 0 : 1)),
      ],
    );
    const users = new Map<string, number>();
    const sessions = new Map<string, number>();
    const freshUsers = new Set<number>();
    const freshSessions = new Set<number>();
    const insertedIds = new Set<string>();
    for (const r of resolved) {
      if (r.kind === 'i') insertedIds.add(r.k);
      else if (r.kind === 'u') {
        users.set(r.k, r.id as number);
        if (r.fresh) freshUsers.add(r.id as number);
      } else {
        sessions.set(r.k, r.id as number);
        if (r.fresh) freshSessions.add(r.id as number);
      }
    }
    const ids: string[] = batch.map((b) => b.id);
    const dupKeys = batch.filter((b) => !insertedIds.has(b.id)).map((b) => b.dedupeKey!);
    if (dupKeys.length > 0) {
      const existing = await idsByKey(
        client,
        'SELECT id, dedupe_key AS k FROM skill_invocations WHERE dedupe_key = ANY($1) UNION ALL SELECT id, dedupe_key FROM archived_dedupe_keys WHERE dedupe_key = ANY($1)',
        dupKeys,
      );
      batch.forEach((b, i) => {
        if (!insertedIds.has(b.id)) ids[i] = existing.get(b.dedupeKey!) as unknown as string;
      });
    }
    const rows: ResolvedInvocation[] = [];
    for (const b of batch) {
      if (!insertedIds.has(b.id)) continue;
      rows.push({ inv: b, skillId: skills.get(b.skillName)!, userId: users.get(b.userHash)!, sessionId: sessions.get(b.sessionKey)! });
    }
    // Sessions and users this batch created for rows that all turned out to be duplicates (a resumed transcript
    // repeats calls under a new session id) are removed again: nothing was recorded for them.
    const usedSessions = new Set(rows.map((r) => r.sessionId));
    const usedUsers = new Set(rows.map((r) => r.userId));
    const unusedSessions = [...freshSessions].filter((id) => !usedSessions.has(id));
    const unusedUsers = [...freshUsers].filter((id) => !usedUsers.has(id));
    if (unusedSessions.length > 0 || unusedUsers.length > 0) {
      await client.query(
        `WITH s AS (DELETE FROM sessions WHERE id = ANY($1::bigint[]) RETURNING id)
         DELETE FROM users u WHERE u.id = ANY($2::bigint[])
           AND NOT EXISTS (SELECT 1 FROM sessions x WHERE x.user_id = u.id AND x.id NOT IN (SELECT id FROM s))`,
        [unusedSessions, unusedUsers],
      );
    }
    if (rows.length === 0) return { ids, inserted: 0, duplicates: batch.length };

    // 3. What the touched sessions and users had before this batch (read after their rows were locked above).
    const oldSessions = [...new Set(rows.map((r) => r.sessionId))].filter((s) => !freshSessions.has(s));
    const oldUsers = [...new Set(rows.map((r) => r.userId))].filter((u) => !freshUsers.has(u));
    const sessionSkills = new Map<number, number[]>();
    const userSkills = new Set<number>();
    if (oldSessions.length > 0 || oldUsers.length > 0) {
      const { rows: prior } = await client.query<{ session_id: number | null; user_id: number | null; skill_id: number }>(
        `SELECT session_id, NULL::bigint AS user_id, skill_id FROM session_skills WHERE session_id = ANY($1)
         UNION ALL SELECT NULL, user_id, skill_id FROM user_skill_stats WHERE user_id = ANY($2) AND skill_id = ANY($3)`,
        [oldSessions, oldUsers, [...new Set(rows.map((r) => r.skillId))]],
      );
      for (const r of prior) {
        if (r.session_id !== null) (sessionSkills.get(r.session_id) ?? sessionSkills.set(r.session_id, []).get(r.session_id)!).push(r.skill_id);
        else userSkills.add(r.user_id! * SKILL_SPACE + r.skill_id);
      }
    }
    const d = computeRollupDeltas(rows, {
      sessionSkills: (s) => sessionSkills.get(s) ?? [],
      userUsedSkill: (u, s) => userSkills.has(u * SKILL_SPACE + s),
    });

    // 4. One set-based upsert per rollup table, all in one statement (data-modifying CTEs: one round trip).
    const params: unknown[] = [];
    const arr = (values: unknown[], type: string) => {
      params.push(values);
      return `$${params.length}::${type}[]`;
    };
    const ctes: string[] = [];
    const hourly = sorted(d.hourly).map(([k, a]) => [...splitKey(k, HOUR_SPACE), a] as const);
    ctes.push(`INSERT INTO skill_hourly (skill_id, hour, invocations, successes, duration_sum, duration_sq_sum, last_at, duration_min, duration_max, timed)
       SELECT * FROM unnest(${arr(
         hourly.map((h) => h[0]),
         'bigint',
       )}, ${arr(
         hourly.map((h) => h[1]),
         'bigint',
       )}, ${arr(
         hourly.map((h) => h[2].invocations),
         'bigint',
       )},
         ${arr(
           hourly.map((h) => h[2].successes),
           'bigint',
         )}, ${arr(
           hourly.map((h) => h[2].durationSum),
           'float8',
         )}, ${arr(
           hourly.map((h) => h[2].durationSqSum),
           'float8',
         )},
         ${arr(
           hourly.map((h) => h[2].lastAt),
           'bigint',
         )}, ${arr(
           hourly.map((h) => storedMin(h[2])),
           'bigint',
         )}, ${arr(
           hourly.map((h) => storedMax(h[2])),
           'bigint',
         )}, ${arr(
           hourly.map((h) => h[2].timed),
           'bigint',
         )})
       ON CONFLICT (skill_id, hour) DO UPDATE SET invocations = skill_hourly.invocations + excluded.invocations,
         ${mergeRange('skill_hourly')}, timed = skill_hourly.timed + excluded.timed,
         successes = skill_hourly.successes + excluded.successes, duration_sum = skill_hourly.duration_sum + excluded.duration_sum,
         duration_sq_sum = skill_hourly.duration_sq_sum + excluded.duration_sq_sum, last_at = GREATEST(skill_hourly.last_at, excluded.last_at)`);
    const hd = sorted(d.hourlyDurations).flatMap(([k, counts]) => {
      const [skill, hour] = splitKey(k, HOUR_SPACE);
      return sorted(counts).map(([bucket, n]) => [skill, hour, bucket, n] as const);
    });
    ctes.push(`INSERT INTO skill_hourly_durations (skill_id, hour, bucket, count)
       SELECT * FROM unnest(${arr(
         hd.map((x) => x[0]),
         'bigint',
       )}, ${arr(
         hd.map((x) => x[1]),
         'bigint',
       )}, ${arr(
         hd.map((x) => x[2]),
         'bigint',
       )}, ${arr(
         hd.map((x) => x[3]),
         'bigint',
       )})
       ON CONFLICT (skill_id, hour, bucket) DO UPDATE SET count = skill_hourly_durations.count + excluded.count`);
    const daily = sorted(d.daily).map(([k, a]) => [...splitKey(k, HOUR_SPACE), a] as const);
    ctes.push(`INSERT INTO skill_daily (skill_id, day, invocations, successes, duration_sum, duration_sq_sum, last_at, duration_min, duration_max, timed)
       SELECT * FROM unnest(${arr(
         daily.map((h) => h[0]),
         'bigint',
       )}, ${arr(
         daily.map((h) => h[1]),
         'bigint',
       )}, ${arr(
         daily.map((h) => h[2].invocations),
         'bigint',
       )},
         ${arr(
           daily.map((h) => h[2].successes),
           'bigint',
         )}, ${arr(
           daily.map((h) => h[2].durationSum),
           'float8',
         )}, ${arr(
           daily.map((h) => h[2].durationSqSum),
           'float8',
         )},
         ${arr(
           daily.map((h) => h[2].lastAt),
           'bigint',
         )}, ${arr(
           daily.map((h) => storedMin(h[2])),
           'bigint',
         )}, ${arr(
           daily.map((h) => storedMax(h[2])),
           'bigint',
         )}, ${arr(
           daily.map((h) => h[2].timed),
           'bigint',
         )})
       ON CONFLICT (skill_id, day) DO UPDATE SET invocations = skill_daily.invocations + excluded.invocations,
         ${mergeRange('skill_daily')}, timed = skill_daily.timed + excluded.timed,
         successes = skill_daily.successes + excluded.successes, duration_sum = skill_daily.duration_sum + excluded.duration_sum,
         duration_sq_sum = skill_daily.duration_sq_sum + excluded.duration_sq_sum, last_at = GREATEST(skill_daily.last_at, excluded.last_at)`);
    const dd = sorted(d.dailyDurations).flatMap(([k, counts]) => {
      const [skill, day] = splitKey(k, HOUR_SPACE);
      return sorted(counts).map(([bucket, n]) => [skill, day, bucket, n] as const);
    });
    ctes.push(`INSERT INTO skill_daily_durations (skill_id, day, bucket, count)
       SELECT * FROM unnest(${arr(
         dd.map((x) => x[0]),
         'bigint',
       )}, ${arr(
         dd.map((x) => x[1]),
         'bigint',
       )}, ${arr(
         dd.map((x) => x[2]),
         'bigint',
       )}, ${arr(
         dd.map((x) => x[3]),
         'bigint',
       )})
       ON CONFLICT (skill_id, day, bucket) DO UPDATE SET count = skill_daily_durations.count + excluded.count`);
    const totals = sorted(d.totals);
    ctes.push(`INSERT INTO skill_totals (skill_id, invocations, successes, duration_sum, duration_sq_sum, sessions, users, first_at, last_at, duration_min, duration_max, timed)
       SELECT * FROM unnest(${arr(
         totals.map((t) => t[0]),
         'bigint',
       )}, ${arr(
         totals.map((t) => t[1].invocations),
         'bigint',
       )}, ${arr(
         totals.map((t) => t[1].successes),
         'bigint',
       )},
         ${arr(
           totals.map((t) => t[1].durationSum),
           'float8',
         )}, ${arr(
           totals.map((t) => t[1].durationSqSum),
           'float8',
         )}, ${arr(
           totals.map((t) => t[1].sessions),
           'bigint',
         )},
         ${arr(
           totals.map((t) => t[1].users),
           'bigint',
         )}, ${arr(
           totals.map((t) => t[1].firstAt),
           'bigint',
         )}, ${arr(
           totals.map((t) => t[1].lastAt),
           'bigint',
         )},
         ${arr(
           totals.map((t) => storedMin(t[1])),
           'bigint',
         )}, ${arr(
           totals.map((t) => storedMax(t[1])),
           'bigint',
         )}, ${arr(
           totals.map((t) => t[1].timed),
           'bigint',
         )})
       ON CONFLICT (skill_id) DO UPDATE SET invocations = skill_totals.invocations + excluded.invocations,
         ${mergeRange('skill_totals')}, timed = skill_totals.timed + excluded.timed,
         successes = skill_totals.successes + excluded.successes, duration_sum = skill_totals.duration_sum + excluded.duration_sum,
         duration_sq_sum = skill_totals.duration_sq_sum + excluded.duration_sq_sum, sessions = skill_totals.sessions + excluded.sessions,
         users = skill_totals.users + excluded.users, first_at = LEAST(skill_totals.first_at, excluded.first_at), last_at = GREATEST(skill_totals.last_at, excluded.last_at)`);
    const dur = sorted(d.durations).flatMap(([skill, counts]) => sorted(counts).map(([bucket, n]) => [skill, bucket, n] as const));
    ctes.push(`INSERT INTO skill_durations (skill_id, bucket, count)
       SELECT * FROM unnest(${arr(
         dur.map((x) => x[0]),
         'bigint',
       )}, ${arr(
         dur.map((x) => x[1]),
         'bigint',
       )}, ${arr(
         dur.map((x) => x[2]),
         'bigint',
       )})
       ON CONFLICT (skill_id, bucket) DO UPDATE SET count = skill_durations.count + excluded.count`);
    const ph = [...d.phases].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, v]) => v);
    ctes.push(`INSERT INTO skill_phase_totals (skill_id, workflow_phase, completed, invocations, duration_sum, backfilled, timed)
       SELECT * FROM unnest(${arr(
         ph.map((x) => x.skillId),
         'bigint',
       )}, ${arr(
         ph.map((x) => x.phase),
         'text',
       )}, ${arr(
         ph.map((x) => (x.completed ? 1 : 0)),
         'int',
       )},
         ${arr(
           ph.map((x) => x.acc.invocations),
           'bigint',
         )}, ${arr(
           ph.map((x) => x.acc.durationSum),
           'float8',
         )}, ${arr(
           ph.map((x) => x.backfilled),
           'bigint',
         )}, ${arr(
           ph.map((x) => x.acc.timed),
           'bigint',
         )})
       ON CONFLICT (skill_id, workflow_phase, completed) DO UPDATE SET invocations = skill_phase_totals.invocations + excluded.invocations,
         duration_sum = skill_phase_totals.duration_sum + excluded.duration_sum, timed = skill_phase_totals.timed + excluded.timed, backfilled = skill_phase_totals.backfilled + excluded.backfilled`);
    const usr = sorted(d.userSkills).map(([k, a]) => [...splitKey(k, SKILL_SPACE), a] as const);
    ctes.push(`INSERT INTO user_skill_stats (user_id, skill_id, invocations, successes, last_at)
       SELECT * FROM unnest(${arr(
         usr.map((x) => x[0]),
         'bigint',
       )}, ${arr(
         usr.map((x) => x[1]),
         'bigint',
       )}, ${arr(
         usr.map((x) => x[2].invocations),
         'bigint',
       )},
         ${arr(
           usr.map((x) => x[2].successes),
           'bigint',
         )}, ${arr(
           usr.map((x) => x[2].lastAt),
           'bigint',
         )})
       ON CONFLICT (user_id, skill_id) DO UPDATE SET invocations = user_skill_stats.invocations + excluded.invocations,
         successes = user_skill_stats.successes + excluded.successes, last_at = GREATEST(user_skill_stats.last_at, excluded.last_at)`);
    const ssk = sorted(d.sessionSkills).map(([k, a]) => [...splitKey(k, SKILL_SPACE), a] as const);
    ctes.push(`INSERT INTO session_skills (session_id, skill_id, invocations, successes)
       SELECT * FROM unnest(${arr(
         ssk.map((x) => x[0]),
         'bigint',
       )}, ${arr(
         ssk.map((x) => x[1]),
         'bigint',
       )}, ${arr(
         ssk.map((x) => x[2].invocations),
         'bigint',
       )}, ${arr(
         ssk.map((x) => x[2].successes),
         'bigint',
       )})
       ON CONFLICT (session_id, skill_id) DO UPDATE SET invocations = session_skills.invocations + excluded.invocations,
         successes = session_skills.successes + excluded.successes`);
    if (d.pairs.size > 0) {
      const pr = sorted(d.pairs).map(([k, n]) => [...splitKey(k, SKILL_SPACE), n] as const);
      ctes.push(`INSERT INTO skill_pairs (skill_a, skill_b, sessions)
         SELECT * FROM unnest(${arr(
           pr.map((x) => x[0]),
           'bigint',
         )}, ${arr(
           pr.map((x) => x[1]),
           'bigint',
         )}, ${arr(
           pr.map((x) => x[2]),
           'bigint',
         )})
         ON CONFLICT (skill_a, skill_b) DO UPDATE SET sessions = skill_pairs.sessions + excluded.sessions`);
    }
    if (d.triggers.size > 0) {
      const tr = [...d.triggers.values()].sort((a, b) => a.skillId - b.skillId || a.hour - b.hour || (a.trigger < b.trigger ? -1 : 1));
      ctes.push(`INSERT INTO skill_trigger_hourly (skill_id, hour, activation_trigger, invocations, successes, slash_after_miss)
         SELECT * FROM unnest(${arr(
           tr.map((x) => x.skillId),
           'bigint',
         )}, ${arr(
           tr.map((x) => x.hour),
           'bigint',
         )}, ${arr(
           tr.map((x) => x.trigger),
           'text',
         )}, ${arr(
           tr.map((x) => x.invocations),
           'bigint',
         )}, ${arr(
           tr.map((x) => x.successes),
           'bigint',
         )}, ${arr(
           tr.map((x) => x.slashAfterMiss),
           'bigint',
         )})
         ON CONFLICT (skill_id, hour, activation_trigger) DO UPDATE SET invocations = skill_trigger_hourly.invocations + excluded.invocations,
           successes = skill_trigger_hourly.successes + excluded.successes,
           slash_after_miss = skill_trigger_hourly.slash_after_miss + excluded.slash_after_miss`);
    }
    const se = sorted(d.sessions);
    ctes.push(`UPDATE sessions s SET invocations = s.invocations + x.n, successes = s.successes + x.ok,
         first_at = LEAST(s.first_at, x.f), last_at = GREATEST(s.last_at, x.l)
       FROM unnest(${arr(
         se.map((x) => x[0]),
         'bigint',
       )}, ${arr(
         se.map((x) => x[1].invocations),
         'bigint',
       )}, ${arr(
         se.map((x) => x[1].successes),
         'bigint',
       )},
         ${arr(
           se.map((x) => x[1].firstAt),
           'bigint',
         )}, ${arr(
           se.map((x) => x[1].lastAt),
           'bigint',
         )}) AS x(id, n, ok, f, l) WHERE s.id = x.id`);
    // Every data-modifying CTE runs exactly once, referenced or not; they touch different tables.
    await client.query(`WITH ${ctes.map((c, i) => `u${i} AS (${c})`).join(',\n')} SELECT 1`, params);
    return { ids, inserted: rows.length, duplicates: batch.length - rows.length };
  }
}
