/**
 * PostgreSQL implementation of the invocation store, for teams sharing one
 * database across several server instances. Same schema, rollups and
 * semantics as the SQLite store.
 */
import type pg from 'pg';
import type { HourlyRollup, SkillHistogram, SkillPairCount, SkillTotals, TriggerHourlyRow, UserSkillStat } from '../../analytics/types.js';
import {
  type HourRange,
  type InvocationStore,
  type InvocationTail,
  type NormalizedInvocation,
  type PhaseTotal,
  type SessionSummary,
  STATS_TABLES,
  type StoreStats,
  type WriteResult,
} from '../types.js';
import { AppError } from '../../errors.js';
import { GroupCommit } from '../group-commit.js';
import { PgInvocationWriter } from './invocation-writer.js';
import { pgInvocationsAfter, pgLatestInvocationSeq } from './invocation-tail.js';
import { PgMigrator } from './migrator.js';
import { createPgPool, redactUrl } from './pool.js';
import { groupHistograms, type HistRow } from '../window-histograms.js';

const HOURLY_COLUMNS = `s.name AS skill, h.hour, h.invocations, h.successes, h.duration_sum AS "durationSum",
  h.duration_sq_sum AS "durationSqSum", h.last_at AS "lastAt"`;

export class PgStore implements InvocationStore {
  readonly migrator: PgMigrator;
  private readonly writer: PgInvocationWriter;
  private readonly groupCommit: GroupCommit;
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    readonly location: string,
  ) {
    this.migrator = new PgMigrator(pool);
    this.writer = new PgInvocationWriter(pool);
    // One write transaction at a time, as on SQLite: concurrent writers would contend for the same rollup
    // rows (the skill's totals, the current hour) and wait on each other's locks; under 100 clients the
    // p95 of tracking was about three times higher with five writers than with one.
    this.groupCommit = new GroupCommit((batch) => this.writer.write(batch));
  }

  /** Connects, checks the server answers, and applies pending migrations (unless `migrate` is false). */
  static async open(url: string, opts: { migrate?: boolean; poolSize?: number } = {}): Promise<PgStore> {
    const pool = createPgPool(url, opts.poolSize);
    const store = new PgStore(pool, redactUrl(url));
    try {
      await pool.query('SELECT 1');
      if (opts.migrate ?? true) await store.migrator.up();
    } catch (err) {
      await pool.end().catch(() => {});
      if (err instanceof AppError) throw err;
      throw new AppError('STORE_UNAVAILABLE', `cannot open the PostgreSQL store at ${store.location}: ${(err as Error).message}`, {}, { cause: err });
    }
    return store;
  }

  record(batch: NormalizedInvocation[]): Promise<WriteResult> {
    return this.groupCommit.submit(batch);
  }

  latestInvocationSeq(): Promise<number> {
    return pgLatestInvocationSeq(this.pool);
  }

  invocationsAfter(afterSeq: number, limit: number): Promise<InvocationTail> {
    return pgInvocationsAfter(this.pool, afterSeq, limit);
  }

  async hourlyRollups(range: HourRange): Promise<HourlyRollup[]> {
    const { rows } = range.skills
      ? await this.pool.query(
          `SELECT ${HOURLY_COLUMNS} FROM skill_hourly h JOIN skills s ON s.id = h.skill_id
          WHERE s.name = ANY($1) AND h.hour BETWEEN $2 AND $3 ORDER BY s.name COLLATE "C", h.hour`,
          [range.skills, range.fromHour, range.toHour],
        )
      : await this.pool.query(
          `SELECT ${HOURLY_COLUMNS} FROM skill_hourly h JOIN skills s ON s.id = h.skill_id
          WHERE h.hour BETWEEN $1 AND $2 ORDER BY s.name COLLATE "C", h.hour`,
          [range.fromHour, range.toHour],
        );
    return rows as HourlyRollup[];
  }

  async triggerHourly(range: HourRange): Promise<TriggerHourlyRow[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, t.hour, t.activation_trigger AS trigger, t.invocations, t.successes, t.slash_after_miss AS "slashAfterMiss"
       FROM skill_trigger_hourly t JOIN skills s ON s.id = t.skill_id
       WHERE ($1::text[] IS NULL OR s.name = ANY($1)) AND t.hour BETWEEN $2 AND $3
       ORDER BY s.name COLLATE "C", t.hour, t.activation_trigger`,
      [range.skills ?? null, range.fromHour, range.toHour],
    );
    return rows as TriggerHourlyRow[];
  }

  async skillTotals(skills?: readonly string[]): Promise<SkillTotals[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, c.name AS category, m.name AS modality, t.invocations, t.successes, t.duration_sum AS "durationSum",
         t.duration_sq_sum AS "durationSqSum", t.sessions, t.users, t.first_at AS "firstAt", t.last_at AS "lastAt", t.duration_min AS "durationMin", t.duration_max AS "durationMax"
       FROM skill_totals t JOIN skills s ON s.id = t.skill_id
       LEFT JOIN skill_categories c ON c.id = s.category_id LEFT JOIN skill_modalities m ON m.id = s.modality_id
       WHERE $1::text[] IS NULL OR s.name = ANY($1) ORDER BY s.name COLLATE "C"`,
      [skills ?? null],
    );
    return rows as SkillTotals[];
  }

  async skillHistograms(skills?: readonly string[]): Promise<SkillHistogram[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, d.bucket, d.count FROM skill_durations d JOIN skills s ON s.id = d.skill_id
       WHERE $1::text[] IS NULL OR s.name = ANY($1) ORDER BY s.name COLLATE "C", d.bucket`,
      [skills ?? null],
    );
    return groupHistograms(rows as HistRow[]);
  }

  async phaseTotals(): Promise<PhaseTotal[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name AS skill, p.workflow_phase AS "workflowPhase", p.completed = 1 AS completed, p.invocations, p.duration_sum AS "durationSum",
       p.backfilled FROM skill_phase_totals p JOIN skills s ON s.id = p.skill_id ORDER BY s.name COLLATE "C", p.workflow_phase, p.completed`,
    );
    return rows as PhaseTotal[];
  }

  async userSkillStats(userHash?: string): Promise<UserSkillStat[]> {
    const { rows } = await this.pool.query(
      `SELECT u.user_hash AS user, s.name AS skill, x.invocations, x.successes, x.last_at AS "lastAt"
       FROM user_skill_stats x JOIN users u ON u.id = x.user_id JOIN skills s ON s.id = x.skill_id
       WHERE $1::text IS NULL OR u.user_hash = $1 ORDER BY s.name COLLATE "C"`,
      [userHash ?? null],
    );
    return rows as UserSkillStat[];
  }

  async skillPairs(skill?: string): Promise<SkillPairCount[]> {
    const { rows } = await this.pool.query(
      `SELECT a.name AS a, b.name AS b, p.sessions FROM skill_pairs p JOIN skills a ON a.id = p.skill_a JOIN skills b ON b.id = p.skill_b
       WHERE $1::text IS NULL OR a.name = $1 OR b.name = $1`,
      [skill ?? null],
    );
    return (rows as SkillPairCount[]).map((r) => (r.a <= r.b ? r : { a: r.b, b: r.a, sessions: r.sessions }));
  }

  async sessionCount(): Promise<number> {
    const { rows } = await this.pool.query('SELECT count(*) AS n FROM sessions');
    return rows[0].n as number;
  }

  async session(sessionKey: string): Promise<SessionSummary | null> {
    const { rows } = await this.pool.query(
      `SELECT id, session_key AS "sessionKey", project, agent, first_at AS "firstAt", last_at AS "lastAt", invocations, successes
       FROM sessions WHERE session_key = $1`,
      [sessionKey],
    );
    const row = rows[0] as (Omit<SessionSummary, 'skills'> & { id: number }) | undefined;
    if (!row) return null;
    const { rows: skills } = await this.pool.query(
      `SELECT s.name AS skill, x.invocations, x.successes FROM session_skills x JOIN skills s ON s.id = x.skill_id
       WHERE x.session_id = $1 ORDER BY x.invocations DESC, s.name COLLATE "C"`,
      [row.id],
    );
    const { id: _id, ...rest } = row;
    return { ...rest, skills: skills as SessionSummary['skills'] };
  }

  async stats(): Promise<StoreStats> {
    const rows: Record<string, number> = {};
    for (const t of STATS_TABLES) rows[t] = (await this.pool.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n as number;
    const size = (await this.pool.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n as number;
    return {
      location: this.location,
      schemaVersion: await this.migrator.currentVersion(),
      latestSchemaVersion: this.migrator.latestVersion,
      sizeBytes: size,
      freeBytes: 0,
      rows,
    };
  }

  /** Ends the pool (once; later calls do nothing). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
