/**
 * The write path: raw invocation rows plus every incremental rollup, in one
 * transaction. A batch is all-or-nothing. Rollup deltas are accumulated in
 * memory over the batch and applied as one upsert per touched key (the
 * duration histograms' keys many to a statement call, multi-row-upsert.ts),
 * which is what makes bulk imports fast; a single invocation is a batch of one.
 * A dedupe key is a duplicate when a live row carries it (the unique index) or
 * `archive` moved its row out (archived_dedupe_keys, one primary-key probe).
 * The deltas are walked with forEach, not for…of: an import writes only a few
 * batches, largely before the code is optimized, where each entry an iterator
 * yields is an allocation.
 */
import { classifySkill } from '../../analytics/taxonomy.js';
import type { NormalizedInvocation, WriteResult } from '../types.js';
import type { SqliteDb } from '../database.js';
import {
  computeRollupDeltas,
  HOUR_SPACE,
  keyHigh,
  keyLow,
  type ResolvedInvocation,
  type RollupDeltas,
  SKILL_SPACE,
  splitKey,
  storedMax,
  storedMin,
} from '../rollup-deltas.js';
import { MultiRowUpsert } from './multi-row-upsert.js';

export class InvocationWriter {
  private readonly skillIds = new Map<string, number>();
  private readonly userIds = new Map<string, number>();
  private readonly sessionIds = new Map<string, number>();
  private readonly stmts;
  /** The duration histograms' upserts, many rows per call. */
  private readonly histograms;
  private readonly writeTx;

  constructor(db: SqliteDb) {
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      insertSkill: p(
        'INSERT INTO skills (name, category_id, modality_id, first_seen_at) VALUES (?, (SELECT id FROM skill_categories WHERE name = ?), (SELECT id FROM skill_modalities WHERE name = ?), ?) ON CONFLICT (name) DO NOTHING',
      ),
      skillId: p('SELECT id FROM skills WHERE name = ?').pluck(),
      insertUser: p('INSERT INTO users (user_hash) VALUES (?) ON CONFLICT (user_hash) DO NOTHING'),
      userId: p('SELECT id FROM users WHERE user_hash = ?').pluck(),
      insertSession: p(
        'INSERT INTO sessions (session_key, user_id, project, agent, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_key) DO NOTHING',
      ),
      sessionId: p('SELECT id FROM sessions WHERE session_key = ?').pluck(),
      insertInvocation: p(`INSERT INTO skill_invocations
        (id, skill_id, session_id, user_id, workflow_phase, completed, duration_ms, error_type, invoked_at, project, agent, metadata, dedupe_key,
         activation_trigger, slash_after_miss, duration_known)
        SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
        WHERE NOT EXISTS (SELECT 1 FROM archived_dedupe_keys WHERE dedupe_key = ?)
        ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`),
      // A duplicate's stored id: its live row, or the row `archive` moved out (archived_dedupe_keys).
      existingByDedupe: p(
        'SELECT id FROM skill_invocations WHERE dedupe_key = ? UNION ALL SELECT id FROM archived_dedupe_keys WHERE dedupe_key = ? LIMIT 1',
      ).pluck(),
      sessionSkills: p('SELECT skill_id FROM session_skills WHERE session_id = ?').pluck(),
      userSkillExists: p('SELECT 1 FROM user_skill_stats WHERE user_id = ? AND skill_id = ?').pluck(),
      upHourly: p(`INSERT INTO skill_hourly (skill_id, hour, invocations, successes, duration_sum, duration_sq_sum, last_at, duration_min, duration_max, timed)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (skill_id, hour) DO UPDATE SET
        invocations = invocations + excluded.invocations, successes = successes + excluded.successes,
        duration_sum = duration_sum + excluded.duration_sum, duration_sq_sum = duration_sq_sum + excluded.duration_sq_sum,
        last_at = max(last_at, excluded.last_at), duration_min = CASE WHEN excluded.timed = 0 THEN duration_min WHEN timed = 0 THEN excluded.duration_min ELSE min(duration_min, excluded.duration_min) END,
        duration_max = CASE WHEN excluded.timed = 0 THEN duration_max WHEN timed = 0 THEN excluded.duration_max ELSE max(duration_max, excluded.duration_max) END, timed = timed + excluded.timed`),
      upDaily: p(`INSERT INTO skill_daily (skill_id, day, invocations, successes, duration_sum, duration_sq_sum, last_at, duration_min, duration_max, timed)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (skill_id, day) DO UPDATE SET
        invocations = invocations + excluded.invocations, successes = successes + excluded.successes,
        duration_sum = duration_sum + excluded.duration_sum, duration_sq_sum = duration_sq_sum + excluded.duration_sq_sum,
        last_at = max(last_at, excluded.last_at), duration_min = CASE WHEN excluded.timed = 0 THEN duration_min WHEN timed = 0 THEN excluded.duration_min ELSE min(duration_min, excluded.duration_min) END,
        duration_max = CASE WHEN excluded.timed = 0 THEN duration_max WHEN timed = 0 THEN excluded.duration_max ELSE max(duration_max, excluded.duration_max) END, timed = timed + excluded.timed`),
      upTotals: p(`INSERT INTO skill_totals (skill_id, invocations, successes, duration_sum, duration_sq_sum, sessions, users, first_at, last_at,
          duration_min, duration_max, timed)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (skill_id) DO UPDATE SET
        duration_min = CASE WHEN excluded.timed = 0 THEN duration_min WHEN timed = 0 THEN excluded.duration_min ELSE min(duration_min, excluded.duration_min) END,
        duration_max = CASE WHEN excluded.timed = 0 THEN duration_max WHEN timed = 0 THEN excluded.duration_max ELSE max(duration_max, excluded.duration_max) END, timed = timed + excluded.timed,
        invocations = invocations + excluded.invocations, successes = successes + excluded.successes,
        duration_sum = duration_sum + excluded.duration_sum, duration_sq_sum = duration_sq_sum + excluded.duration_sq_sum,
        sessions = sessions + excluded.sessions, users = users + excluded.users,
        first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`),
      upPhase:
        p(`INSERT INTO skill_phase_totals (skill_id, workflow_phase, completed, invocations, duration_sum, backfilled, timed) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (skill_id, workflow_phase, completed) DO UPDATE SET
        invocations = invocations + excluded.invocations, duration_sum = duration_sum + excluded.duration_sum, timed = timed + excluded.timed,
        backfilled = backfilled + excluded.backfilled`),
      upUserSkill: p(`INSERT INTO user_skill_stats (user_id, skill_id, invocations, successes, last_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (user_id, skill_id) DO UPDATE SET invocations = invocations + excluded.invocations,
        successes = successes + excluded.successes, last_at = max(last_at, excluded.last_at)`),
      upSessionSkill: p(`INSERT INTO session_skills (session_id, skill_id, invocations, successes) VALUES (?, ?, ?, ?)
        ON CONFLICT (session_id, skill_id) DO UPDATE SET invocations = invocations + excluded.invocations,
        successes = successes + excluded.successes`),
      upPair: p(`INSERT INTO skill_pairs (skill_a, skill_b, sessions) VALUES (?, ?, ?)
        ON CONFLICT (skill_a, skill_b) DO UPDATE SET sessions = sessions + excluded.sessions`),
      upTrigger: p(`INSERT INTO skill_trigger_hourly (skill_id, hour, activation_trigger, invocations, successes, slash_after_miss)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (skill_id, hour, activation_trigger) DO UPDATE SET
        invocations = invocations + excluded.invocations, successes = successes + excluded.successes,
        slash_after_miss = slash_after_miss + excluded.slash_after_miss`),
      upSession: p(`UPDATE sessions SET invocations = invocations + ?, successes = successes + ?,
        first_at = min(first_at, ?), last_at = max(last_at, ?) WHERE id = ?`),
      dropSession: p('DELETE FROM sessions WHERE id = ?'),
      dropUser: p('DELETE FROM users WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sessions WHERE user_id = users.id)'),
    };
    this.histograms = {
      hourly: new MultiRowUpsert(
        db,
        'INSERT INTO skill_hourly_durations (skill_id, hour, bucket, count)',
        4,
        'ON CONFLICT (skill_id, hour, bucket) DO UPDATE SET count = count + excluded.count',
      ),
      daily: new MultiRowUpsert(
        db,
        'INSERT INTO skill_daily_durations (skill_id, day, bucket, count)',
        4,
        'ON CONFLICT (skill_id, day, bucket) DO UPDATE SET count = count + excluded.count',
      ),
      total: new MultiRowUpsert(
        db,
        'INSERT INTO skill_durations (skill_id, bucket, count)',
        3,
        'ON CONFLICT (skill_id, bucket) DO UPDATE SET count = count + excluded.count',
      ),
    };
    this.writeTx = db.transaction((batch: NormalizedInvocation[], also: () => unknown) => {
      const result = batch.length === 0 ? { ids: [], inserted: 0, duplicates: 0 } : this.apply(batch);
      return { result, also: also() };
    });
  }

  /** Writes the batch and its rollups atomically. */
  write(batch: NormalizedInvocation[]): WriteResult {
    if (batch.length === 0) return { ids: [], inserted: 0, duplicates: 0 };
    return this.writeWith(batch, nothingElse).result;
  }

  /**
   * Writes the batch and its rollups, then runs `also` (other writes on this connection, e.g. the batch's
   * cost rows), all in one transaction: if `also` throws, the batch is not stored either.
   */
  writeWith<T>(batch: NormalizedInvocation[], also: () => T): { result: WriteResult; also: T } {
    try {
      return this.writeTx.immediate(batch, also) as { result: WriteResult; also: T };
    } catch (err) {
      // Interned ids created inside the failed transaction no longer exist.
      this.skillIds.clear();
      this.userIds.clear();
      this.sessionIds.clear();
      throw err;
    }
  }

  private internSkill(name: string, at: number): number {
    let id = this.skillIds.get(name);
    if (id !== undefined) return id;
    id = this.stmts.skillId.get(name) as number | undefined;
    if (id === undefined) {
      const { category, modality } = classifySkill(name);
      this.stmts.insertSkill.run(name, category, modality, at);
      id = this.stmts.skillId.get(name) as number;
    }
    this.skillIds.set(name, id);
    return id;
  }

  private internUser(hash: string, fresh: Set<number>): number {
    let id = this.userIds.get(hash);
    if (id !== undefined) return id;
    const info = this.stmts.insertUser.run(hash);
    id = info.changes === 1 ? Number(info.lastInsertRowid) : (this.stmts.userId.get(hash) as number);
    if (info.changes === 1) fresh.add(id);
    if (this.userIds.size > 200_000) this.userIds.clear();
    this.userIds.set(hash, id);
    return id;
  }

  private internSession(inv: NormalizedInvocation, userId: number, fresh: Set<number>): number {
    let id = this.sessionIds.get(inv.sessionKey);
    if (id !== undefined) return id;
    const info = this.stmts.insertSession.run(inv.sessionKey, userId, inv.project, inv.agent, inv.invokedAt, inv.invokedAt);
    id = info.changes === 1 ? Number(info.lastInsertRowid) : (this.stmts.sessionId.get(inv.sessionKey) as number);
    if (info.changes === 1) fresh.add(id);
    if (this.sessionIds.size > 200_000) this.sessionIds.clear();
    this.sessionIds.set(inv.sessionKey, id);
    return id;
  }

  private apply(batch: NormalizedInvocation[]): WriteResult {
    const freshUsers = new Set<number>();
    const freshSessions = new Set<number>();
    const inserted: ResolvedInvocation[] = [];
    const { ids, duplicates } = this.insertRows(batch, inserted, freshUsers, freshSessions);
    if (duplicates > 0) this.dropUnused(inserted, freshUsers, freshSessions);
    const s = this.stmts;
    const d = computeRollupDeltas(inserted, {
      sessionSkills: (sessionId) => (freshSessions.has(sessionId) ? [] : (s.sessionSkills.all(sessionId) as number[])),
      userUsedSkill: (userId, skillId) => !freshUsers.has(userId) && s.userSkillExists.get(userId, skillId) !== undefined,
    });
    this.writeTimeRollups(d);
    this.writeSkillRollups(d);
    return { ids, inserted: inserted.length, duplicates };
  }

  /**
   * The rows of a batch (a duplicate dedupe key keeps the stored row's id); the inserted ones are
   * added to `inserted`. The write is split in small methods: each is optimized on its own, where
   * one large method was compiled (and recompiled) as a whole.
   */
  private insertRows(
    batch: NormalizedInvocation[],
    inserted: ResolvedInvocation[],
    freshUsers: Set<number>,
    freshSessions: Set<number>,
  ): { ids: string[]; duplicates: number } {
    const s = this.stmts;
    const ids: string[] = new Array(batch.length);
    let duplicates = 0;
    for (let i = 0; i < batch.length; i++) {
      const inv = batch[i]!;
      const skillId = this.internSkill(inv.skillName, inv.invokedAt);
      const userId = this.internUser(inv.userHash, freshUsers);
      const sessionId = this.internSession(inv, userId, freshSessions);
      const info = s.insertInvocation.run(
        inv.id,
        skillId,
        sessionId,
        userId,
        inv.workflowPhase,
        inv.completed ? 1 : 0,
        inv.durationMs,
        inv.errorType,
        inv.invokedAt,
        inv.project,
        inv.agent,
        inv.metadata,
        inv.dedupeKey,
        inv.trigger ?? null,
        inv.slashAfterMiss == null ? null : inv.slashAfterMiss ? 1 : 0,
        inv.durationKnown === false ? 0 : 1,
        inv.dedupeKey,
      );
      if (info.changes === 0) {
        duplicates++;
        ids[i] = s.existingByDedupe.get(inv.dedupeKey, inv.dedupeKey) as string;
        continue;
      }
      ids[i] = inv.id;
      inserted.push({ inv, skillId, userId, sessionId });
    }
    return { ids, duplicates };
  }

  /**
   * Sessions and users this batch created for rows that all turned out to be duplicates (a resumed
   * transcript repeats calls under a new session id) are removed again: nothing was recorded for them.
   */
  private dropUnused(inserted: readonly ResolvedInvocation[], freshUsers: Set<number>, freshSessions: Set<number>): void {
    const usedSessions = new Set(inserted.map((r) => r.sessionId));
    const usedUsers = new Set(inserted.map((r) => r.userId));
    const droppedSessions = [...freshSessions].filter((id) => !usedSessions.has(id));
    const droppedUsers = [...freshUsers].filter((id) => !usedUsers.has(id));
    if (droppedSessions.length === 0 && droppedUsers.length === 0) return;
    for (const id of droppedSessions) {
      this.stmts.dropSession.run(id);
      freshSessions.delete(id);
    }
    // A user stays while a session of this batch that recorded something names it.
    const goneUsers = droppedUsers.filter((id) => this.stmts.dropUser.run(id).changes === 1);
    for (const id of goneUsers) freshUsers.delete(id);
    // Their interned ids are gone with them.
    const forget = (cache: Map<string, number>, ids: readonly number[]) => {
      const set = new Set(ids);
      for (const [k, id] of cache) if (set.has(id)) cache.delete(k);
    };
    forget(this.sessionIds, droppedSessions);
    forget(this.userIds, goneUsers);
  }

  /** Hourly and daily rollups, with their duration histograms. */
  private writeTimeRollups(d: RollupDeltas): void {
    const s = this.stmts;
    d.hourly.forEach((a, key) => {
      const [skill, hour] = splitKey(key, HOUR_SPACE);
      s.upHourly.run(skill, hour, a.invocations, a.successes, a.durationSum, a.durationSqSum, a.lastAt, storedMin(a), storedMax(a), a.timed);
    });
    writeHistograms(this.histograms.hourly, d.hourlyDurations);
    d.daily.forEach((a, key) => {
      const [skill, day] = splitKey(key, HOUR_SPACE);
      s.upDaily.run(skill, day, a.invocations, a.successes, a.durationSum, a.durationSqSum, a.lastAt, storedMin(a), storedMax(a), a.timed);
    });
    writeHistograms(this.histograms.daily, d.dailyDurations);
  }

  /** Per-skill totals, phases, users, sessions, pairs and triggers. */
  private writeSkillRollups(d: RollupDeltas): void {
    const s = this.stmts;
    d.totals.forEach((a, skill) =>
      s.upTotals.run(
        skill,
        a.invocations,
        a.successes,
        a.durationSum,
        a.durationSqSum,
        a.sessions,
        a.users,
        a.firstAt,
        a.lastAt,
        storedMin(a),
        storedMax(a),
        a.timed,
      ),
    );
    const h = this.histograms.total;
    d.durations.forEach((counts, skill) =>
      counts.forEach((n, bucket) => {
        h.put(skill);
        h.put(bucket);
        h.put(n);
      }),
    );
    h.finish();
    d.phases.forEach((p) => s.upPhase.run(p.skillId, p.phase, p.completed ? 1 : 0, p.acc.invocations, p.acc.durationSum, p.backfilled, p.acc.timed));
    d.userSkills.forEach((a, key) => s.upUserSkill.run(...splitKey(key, SKILL_SPACE), a.invocations, a.successes, a.lastAt));
    d.sessionSkills.forEach((a, key) => s.upSessionSkill.run(...splitKey(key, SKILL_SPACE), a.invocations, a.successes));
    d.pairs.forEach((n, key) => s.upPair.run(...splitKey(key, SKILL_SPACE), n));
    d.triggers.forEach((t) => s.upTrigger.run(t.skillId, t.hour, t.trigger, t.invocations, t.successes, t.slashAfterMiss));
    d.sessions.forEach((a, session) => s.upSession.run(a.invocations, a.successes, a.firstAt, a.lastAt, session));
  }
}

/** `also` of a write that has nothing to write beside the batch. */
const nothingElse = (): undefined => undefined;

/** Histogram deltas (key skillId * HOUR_SPACE + hour or day → bucket → count), one row per bucket. */
function writeHistograms(h: MultiRowUpsert, deltas: Map<number, Map<number, number>>): void {
  deltas.forEach((counts, key) => {
    // The parts apart, without splitKey's array: tens of thousands of keys, mostly before optimization.
    const skill = keyHigh(key, HOUR_SPACE);
    const period = keyLow(key, HOUR_SPACE);
    counts.forEach((n, bucket) => {
      h.put(skill);
      h.put(period);
      h.put(bucket);
      h.put(n);
    });
  });
  h.finish();
}
