/**
 * SQLite implementation of SkillCostStore (skill-cost-types.ts; tables
 * skill_cost_calls, skill_cost_hourly, skill_cost_skill_hourly,
 * skill_cost_daily, skill_cost_invocations). A batch is one transaction: raw
 * rows inserted with duplicates (same key) skipped, and only the rows
 * actually inserted added to the rollups that reads use; a duplicate with
 * more output tokens revises the stored call (revisedCall), and the rollups
 * by the difference. A reprice is one
 * transaction too: every call priced again, every rollup rebuilt from the
 * calls, and the reprice generation (settings) counted up, which is part of
 * every cached period's version (a reprice changes costs, not the counts the
 * versions are made of), so no reader in any process keeps old costs.
 *
 * Totals: one user's from skill_cost_hourly (a primary-key seek per skill,
 * rule and user); everyone's from the rollups without the user dimension,
 * whole days from skill_cost_daily and the edge hours from
 * skill_cost_skill_hourly (costTotalPieces).
 */
import type { PriceTable } from '../../analytics/model-prices.js';
import {
  assertAttributedUsage,
  type CostDeltas,
  CostRollup,
  costTotalPieces,
  emptyRepriceResult,
  mergeCostTotals,
  REPRICE_FLUSH_CALLS,
  REPRICE_PAGE_ROWS,
  repricePage,
  revisedCall,
} from '../skill-cost-rollup.js';
import {
  ATTRIBUTIONS,
  type AttributedUsage,
  type RepriceOptions,
  type RepriceResult,
  type SkillCostQuery,
  type SkillCostStore,
  type SkillCostTotal,
  type SkillInvocationCost,
  type SkillInvocationCostQuery,
} from '../skill-cost-types.js';
import type { SqliteDb } from '../database.js';
import { PeriodCache, periodVersions } from '../period-cache.js';

const SUM_SELECT = `sum(api_calls) AS apiCalls, sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens,
  sum(cache_write_tokens) AS cacheWriteTokens, sum(cache_read_tokens) AS cacheReadTokens, sum(cost_usd) AS costUsd, sum(unpriced_calls) AS unpricedCalls`;

const SUM_UPDATE = `api_calls = api_calls + excluded.api_calls,
  input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
  cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
  cost_usd = cost_usd + excluded.cost_usd, unpriced_calls = unpriced_calls + excluded.unpriced_calls`;

/** Every rule, to seek the primary key (skill, attribution, …) per skill and rule. */
const RULES = JSON.stringify(ATTRIBUTIONS);

const SUMS = `api_calls AS apiCalls, input_tokens AS inputTokens, output_tokens AS outputTokens,
  cache_write_tokens AS cacheWriteTokens, cache_read_tokens AS cacheReadTokens, cost_usd AS costUsd, unpriced_calls AS unpricedCalls`;

function conditions() {
  const where: string[] = [];
  const args: unknown[] = [];
  return {
    where,
    args,
    add(sql: string, value: unknown) {
      where.push(sql);
      args.push(value);
    },
  };
}

/** Windows up to this many days read cached whole days and hours (period-cache.ts); longer or open ones read the rollups directly. */
const CACHED_WINDOW_DAYS = 366;
const PERIOD_COLUMNS = `skill, attribution, ${SUMS}`;

/** A prepared rollup upsert. */
type Upsert = { run(...params: unknown[]): unknown };

/** The settings key of the reprice generation: how many times stored figures changed in place (reprices, and batches that revised a call). */
const REPRICE_GENERATION = 'skill_costs.reprice_generation';

/** A stored call as AttributedUsage (also read by merge-data's export). */
export const CALL_COLUMNS = `key, skill, attribution, user_hash AS userHash, session_key AS sessionKey, invocation_id AS invocationId, model, at,
  input_tokens AS inputTokens, output_tokens AS outputTokens, cache_write_tokens AS cacheWriteTokens,
  cache_write_1h_tokens AS cacheWrite1hTokens, cache_read_tokens AS cacheReadTokens, cost_usd AS costUsd`;

export class SqliteSkillCostStore implements SkillCostStore {
  /** Everyone's rows of whole days and hours, every skill, with their versions. */
  private readonly dayRows = new PeriodCache<SkillCostTotal[], SkillCostTotal[]>(CACHED_WINDOW_DAYS + 4, (pieces) => mergeCostTotals(pieces.flat()));
  private readonly hourRows = new PeriodCache<SkillCostTotal[], SkillCostTotal[]>(24 * 7, (pieces) => mergeCostTotals(pieces.flat()));
  private readonly recordTx: (rows: readonly AttributedUsage[]) => { inserted: number; duplicates: number };
  private readonly repriceTx: { immediate(prices: PriceTable, opts: RepriceOptions): RepriceResult };
  private readonly reads;
  private readonly readTotals: (query: SkillCostQuery) => SkillCostTotal[];

  constructor(private readonly db: SqliteDb) {
    const insert = db.prepare(`INSERT INTO skill_cost_calls (key, skill, attribution, user_hash, session_key, invocation_id, model, at,
      input_tokens, output_tokens, cache_write_tokens, cache_write_1h_tokens, cache_read_tokens, cost_usd)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`);
    const upHourly = db.prepare(`INSERT INTO skill_cost_hourly (skill, attribution, user_hash, hour, api_calls, input_tokens, output_tokens,
      cache_write_tokens, cache_read_tokens, cost_usd, unpriced_calls) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (skill, attribution, user_hash, hour) DO UPDATE SET api_calls = api_calls + excluded.api_calls,
      input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
      cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
      cost_usd = cost_usd + excluded.cost_usd, unpriced_calls = unpriced_calls + excluded.unpriced_calls`);
    const upInvocation = db.prepare(`INSERT INTO skill_cost_invocations (invocation_id, attribution, skill, user_hash, session_key, first_at, last_at,
      api_calls, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, cost_usd, unpriced_calls)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (invocation_id, attribution) DO UPDATE SET first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
      api_calls = api_calls + excluded.api_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
      cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
      cost_usd = cost_usd + excluded.cost_usd, unpriced_calls = unpriced_calls + excluded.unpriced_calls`);
    const upPeriod = (table: string, period: string) =>
      db.prepare(`INSERT INTO ${table} (skill, attribution, ${period}, api_calls, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens,
        cost_usd, unpriced_calls) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (skill, attribution, ${period}) DO UPDATE SET ${SUM_UPDATE}`);
    const upSkillHourly = upPeriod('skill_cost_skill_hourly', 'hour');
    const upDaily = upPeriod('skill_cost_daily', 'day');
    // Skills and rules drive the loop (CROSS JOIN fixes the order): one primary-key range seek each.
    const pieceSql = (table: string, period: string, skills: boolean) =>
      db.prepare(`SELECT c.skill, c.attribution, ${SUM_SELECT}
        FROM ${
          skills
            ? `json_each(?) k CROSS JOIN json_each('${RULES}') a CROSS JOIN ${table} c ON c.skill = k.value AND c.attribution = a.value AND`
            : `${table} c WHERE`
        } c.${period} BETWEEN ? AND ?
        GROUP BY c.skill, c.attribution`);
    this.reads = {
      // Versions of days and hours (count of rows and of API calls), from the covering indexes of migration 0021.
      dayVersions: db.prepare('SELECT day, count(*), total(api_calls) FROM skill_cost_daily WHERE day BETWEEN ? AND ? GROUP BY day').raw(),
      generation: db.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
      hourVersions: db.prepare('SELECT hour, count(*), total(api_calls) FROM skill_cost_skill_hourly WHERE hour BETWEEN ? AND ? GROUP BY hour').raw(),
      dayRows: db.prepare(`SELECT day AS period, ${PERIOD_COLUMNS} FROM skill_cost_daily WHERE day BETWEEN ? AND ? ORDER BY day, skill, attribution`),
      hourRows: db.prepare(
        `SELECT hour AS period, ${PERIOD_COLUMNS} FROM skill_cost_skill_hourly WHERE hour BETWEEN ? AND ? ORDER BY hour, skill, attribution`,
      ),
      daily: pieceSql('skill_cost_daily', 'day', false),
      dailySkills: pieceSql('skill_cost_daily', 'day', true),
      hourly: pieceSql('skill_cost_skill_hourly', 'hour', false),
      hourlySkills: pieceSql('skill_cost_skill_hourly', 'hour', true),
      user: db.prepare(`SELECT c.skill, c.attribution, ${SUM_SELECT}
        FROM json_each(?) k CROSS JOIN json_each('${RULES}') a CROSS JOIN skill_cost_hourly c
          ON c.skill = k.value AND c.attribution = a.value AND c.user_hash = ? AND c.hour BETWEEN ? AND ?
        GROUP BY c.skill, c.attribution ORDER BY c.skill, c.attribution`),
    };
    this.readTotals = db.transaction((query: SkillCostQuery) => this.everyone(query));
    const writeDeltas = this.deltaWriter(upHourly, upSkillHourly, upDaily, upInvocation);
    const stored = db.prepare(`SELECT ${CALL_COLUMNS} FROM skill_cost_calls WHERE key = ?`);
    const revise = db.prepare(`UPDATE skill_cost_calls SET input_tokens = ?, output_tokens = ?, cache_write_tokens = ?, cache_write_1h_tokens = ?,
      cache_read_tokens = ?, cost_usd = ? WHERE key = ?`);
    const bump = db.prepare(`INSERT INTO settings (key, value) VALUES (?, '1')
      ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT)`);
    this.recordTx = db.transaction((rows: readonly AttributedUsage[]) => {
      const rollup = new CostRollup();
      let inserted = 0;
      let revised = 0;
      for (const r of rows) {
        const res = insert.run(
          r.key,
          r.skill,
          r.attribution,
          r.userHash,
          r.sessionKey,
          r.invocationId ?? null,
          r.model,
          r.at,
          r.inputTokens,
          r.outputTokens,
          r.cacheWriteTokens,
          r.cacheWrite1hTokens ?? null,
          r.cacheReadTokens,
          r.costUsd,
        );
        if (res.changes > 0) {
          inserted++;
          rollup.add(r);
          continue;
        }
        // Recorded already: the same call, or, with more output tokens, its revision (revisedCall).
        const old = stored.get(r.key) as AttributedUsage;
        const rev = revisedCall(old, r);
        if (rev === null) continue;
        revise.run(rev.inputTokens, rev.outputTokens, rev.cacheWriteTokens, rev.cacheWrite1hTokens ?? null, rev.cacheReadTokens, rev.costUsd, rev.key);
        rollup.add(old, -1);
        rollup.add(rev);
        revised++;
      }
      writeDeltas(rollup.deltas());
      // A revision changes figures, not the counts the cached periods' versions are made of (as a reprice does).
      if (revised > 0) bump.run(REPRICE_GENERATION);
      return { inserted, duplicates: rows.length - inserted };
    });
    const page = db.prepare(`SELECT ${CALL_COLUMNS} FROM skill_cost_calls WHERE key > ? ORDER BY key LIMIT ?`);
    const setCost = db.prepare('UPDATE skill_cost_calls SET cost_usd = ? WHERE key = ?');
    const clear = ['skill_cost_hourly', 'skill_cost_skill_hourly', 'skill_cost_daily', 'skill_cost_invocations'].map((t) => db.prepare(`DELETE FROM ${t}`));
    const count = db.prepare('SELECT count(*) FROM skill_cost_calls').pluck();
    this.repriceTx = db.transaction((prices: PriceTable, opts: RepriceOptions) => {
      const result = emptyRepriceResult();
      let rollup = new CostRollup();
      const total = count.get() as number;
      let done = 0;
      let after = '';
      for (const stmt of clear) stmt.run();
      for (;;) {
        const rows = page.all(after, opts.pageRows ?? REPRICE_PAGE_ROWS) as AttributedUsage[];
        if (rows.length === 0) break;
        for (const r of repricePage(prices, rows, rollup, result)) setCost.run(r.costUsd, r.key);
        if (rollup.calls >= (opts.flushEvery ?? REPRICE_FLUSH_CALLS)) {
          writeDeltas(rollup.deltas());
          rollup = new CostRollup();
        }
        after = rows[rows.length - 1]!.key;
        done += rows.length;
        opts.onProgress?.(done, total);
      }
      writeDeltas(rollup.deltas());
      bump.run(REPRICE_GENERATION);
      return result;
    });
  }

  /** Sets up the rollup writes of record and reprice: each delta added to its rollup row (a new row when none). */
  private deltaWriter(upHourly: Upsert, upSkillHourly: Upsert, upDaily: Upsert, upInvocation: Upsert): (deltas: CostDeltas) => void {
    return ({ hourly, skillHourly, daily, invocations }) => {
      for (const d of hourly) {
        upHourly.run(
          d.skill,
          d.attribution,
          d.userHash,
          d.hour,
          d.apiCalls,
          d.inputTokens,
          d.outputTokens,
          d.cacheWriteTokens,
          d.cacheReadTokens,
          d.costUsd,
          d.unpricedCalls,
        );
      }
      for (const [stmt, deltas] of [
        [upSkillHourly, skillHourly],
        [upDaily, daily],
      ] as const) {
        for (const d of deltas) {
          stmt.run(
            d.skill,
            d.attribution,
            d.period,
            d.apiCalls,
            d.inputTokens,
            d.outputTokens,
            d.cacheWriteTokens,
            d.cacheReadTokens,
            d.costUsd,
            d.unpricedCalls,
          );
        }
      }
      for (const d of invocations) {
        upInvocation.run(
          d.invocationId,
          d.attribution,
          d.skill,
          d.userHash,
          d.sessionKey,
          d.firstAt,
          d.lastAt,
          d.apiCalls,
          d.inputTokens,
          d.outputTokens,
          d.cacheWriteTokens,
          d.cacheReadTokens,
          d.costUsd,
          d.unpricedCalls,
        );
      }
    };
  }

  async record(rows: readonly AttributedUsage[]): Promise<{ inserted: number; duplicates: number }> {
    return this.recordNow(rows);
  }

  /** record, synchronously: inside another transaction on this connection it is part of it (InvocationStore.recordWithCosts). */
  recordNow(rows: readonly AttributedUsage[]): { inserted: number; duplicates: number } {
    assertAttributedUsage(rows);
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    return this.recordTx(rows);
  }

  async reprice(prices: PriceTable, opts: RepriceOptions = {}): Promise<RepriceResult> {
    return this.repriceTx.immediate(prices, opts);
  }

  async totals(query: SkillCostQuery = {}): Promise<SkillCostTotal[]> {
    if (query.skills && query.skills.length === 0) return [];
    if (query.userHash === undefined) return this.readTotals(query);
    if (query.skills && query.fromHour !== undefined && query.toHour !== undefined) {
      return this.reads.user.all(JSON.stringify([...new Set(query.skills)]), query.userHash, query.fromHour, query.toHour) as SkillCostTotal[];
    }
    return this.scanHourly(query);
  }

  /** Everyone's totals from the user-less rollups; run in one transaction (readTotals), so all pieces see one state. */
  private everyone(query: SkillCostQuery): SkillCostTotal[] {
    const split = costTotalPieces(query.fromHour, query.toHour);
    if (query.fromHour !== undefined && query.toHour !== undefined && query.toHour - query.fromHour < CACHED_WINDOW_DAYS * 24) {
      return this.everyoneCached(split, query.skills ? new Set(query.skills) : null);
    }
    const skills = query.skills ? JSON.stringify([...new Set(query.skills)]) : null;
    const rows: SkillCostTotal[] = [];
    const read = (all: typeof this.reads.daily, some: typeof this.reads.daily, from: number, to: number) =>
      rows.push(...((skills === null ? all.all(from, to) : some.all(skills, from, to)) as SkillCostTotal[]));
    if (split.days) read(this.reads.daily, this.reads.dailySkills, split.days.fromDay, split.days.toDay);
    for (const h of split.hours) read(this.reads.hourly, this.reads.hourlySkills, h.fromHour, h.toHour);
    return mergeCostTotals(rows);
  }

  /** The same from the rows of each whole day and edge hour, kept in memory until the period is written again (period-cache.ts). */
  private everyoneCached(split: ReturnType<typeof costTotalPieces>, skills: ReadonlySet<string> | null): SkillCostTotal[] {
    const byPeriod = (rows: (SkillCostTotal & { period: number })[]) => {
      const out = new Map<number, SkillCostTotal[]>();
      for (const { period, ...r } of rows) {
        const list = out.get(period);
        if (list) list.push(r);
        else out.set(period, [r]);
      }
      return out;
    };
    const segments: SkillCostTotal[][] = [];
    const generation = (this.reads.generation.get(REPRICE_GENERATION) as string | undefined) ?? '0';
    const read = (
      cache: PeriodCache<SkillCostTotal[], SkillCostTotal[]>,
      versions: typeof this.reads.dayVersions,
      rows: typeof this.reads.dayRows,
      from: number,
      to: number,
    ) => {
      const v = new Map([...periodVersions(versions.all(from, to) as number[][])].map(([p, version]) => [p, `${version}@${generation}`]));
      const readRows = (periods: number[]) => byPeriod(rows.all(Math.min(...periods), Math.max(...periods)) as (SkillCostTotal & { period: number })[]);
      segments.push(cache.segment(`${from}:${to}`, v, readRows, () => []));
    };
    if (split.days) read(this.dayRows, this.reads.dayVersions, this.reads.dayRows, split.days.fromDay, split.days.toDay);
    for (const h of split.hours) read(this.hourRows, this.reads.hourVersions, this.reads.hourRows, h.fromHour, h.toHour);
    const rows: SkillCostTotal[] = [];
    for (const segment of segments) {
      for (const r of segment) if (skills === null || skills.has(r.skill)) rows.push(r);
    }
    return mergeCostTotals(rows);
  }

  /** One user's totals without a skill list or bounds: a plain scan of the per-user rollup. */
  private scanHourly(query: SkillCostQuery): SkillCostTotal[] {
    const { where, args, add } = conditions();
    if (query.fromHour !== undefined) add('hour >= ?', query.fromHour);
    if (query.toHour !== undefined) add('hour <= ?', query.toHour);
    if (query.userHash !== undefined) add('user_hash = ?', query.userHash);
    if (query.skills) add(`skill IN (SELECT value FROM json_each(?))`, JSON.stringify(query.skills));
    const sql = `SELECT skill, attribution, sum(api_calls) AS apiCalls, sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens,
      sum(cache_write_tokens) AS cacheWriteTokens, sum(cache_read_tokens) AS cacheReadTokens, sum(cost_usd) AS costUsd, sum(unpriced_calls) AS unpricedCalls
      FROM skill_cost_hourly ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY skill, attribution ORDER BY skill, attribution`;
    return this.db.prepare(sql).all(...args) as SkillCostTotal[];
  }

  async invocations(query: SkillInvocationCostQuery = {}): Promise<SkillInvocationCost[]> {
    const { where, args, add } = conditions();
    if (query.fromMs !== undefined) add('first_at >= ?', query.fromMs);
    if (query.toMs !== undefined) add('first_at <= ?', query.toMs);
    if (query.userHash !== undefined) add('user_hash = ?', query.userHash);
    if (query.attribution !== undefined) add('attribution = ?', query.attribution);
    if (query.skills) add(`skill IN (SELECT value FROM json_each(?))`, JSON.stringify(query.skills));
    args.push(query.limit ?? 100);
    const sql = `SELECT invocation_id AS invocationId, skill, attribution, session_key AS sessionKey, first_at AS firstAt, last_at AS lastAt, ${SUMS}
      FROM skill_cost_invocations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY first_at DESC, invocation_id, attribution LIMIT ?`;
    return this.db.prepare(sql).all(...args) as SkillInvocationCost[];
  }
}
