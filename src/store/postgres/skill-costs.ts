/**
 * PostgreSQL implementation of SkillCostStore (skill-cost-types.ts; tables
 * skill_cost_calls, skill_cost_hourly, skill_cost_invocations). A batch is
 * one transaction: raw rows inserted with duplicates (same key) skipped, and
 * only the rows actually inserted (RETURNING) added to the rollups, whose
 * rows are upserted in a fixed order so that concurrent writers do not deadlock.
 * A reprice is one transaction that first locks skill_cost_calls against
 * writers (a batch recorded meanwhile waits for it, then adds to the rebuilt
 * rollups), prices every call again and rebuilds every rollup from the calls.
 *
 * Totals: one user's from skill_cost_hourly (its primary key leads with
 * skill, rule and user); everyone's from the rollups without the user
 * dimension (migration 0019), whole days from skill_cost_daily and the edge
 * hours from skill_cost_skill_hourly (costTotalPieces), in one statement.
 */
import type pg from 'pg';
import type { PriceTable } from '../../analytics/model-prices.js';
import {
  assertAttributedUsage,
  type CostDeltas,
  CostRollup,
  costTotalPieces,
  emptyRepriceResult,
  mergeCostTotals,
  type PeriodCostDelta,
  REPRICE_FLUSH_CALLS,
  REPRICE_PAGE_ROWS,
  repricePage,
  revisedCall,
} from '../skill-cost-rollup.js';
import type {
  AttributedUsage,
  RepriceOptions,
  RepriceResult,
  SkillCostQuery,
  SkillCostStore,
  SkillCostTotal,
  SkillInvocationCost,
  SkillInvocationCostQuery,
} from '../skill-cost-types.js';
import { inTransaction } from './pool.js';

const SUM_UPDATE = `api_calls = t.api_calls + excluded.api_calls,
  input_tokens = t.input_tokens + excluded.input_tokens, output_tokens = t.output_tokens + excluded.output_tokens,
  cache_write_tokens = t.cache_write_tokens + excluded.cache_write_tokens, cache_read_tokens = t.cache_read_tokens + excluded.cache_read_tokens,
  cost_usd = t.cost_usd + excluded.cost_usd, unpriced_calls = t.unpriced_calls + excluded.unpriced_calls`;

const SUMS = `api_calls AS "apiCalls", input_tokens AS "inputTokens", output_tokens AS "outputTokens",
  cache_write_tokens AS "cacheWriteTokens", cache_read_tokens AS "cacheReadTokens", cost_usd AS "costUsd", unpriced_calls AS "unpricedCalls"`;

const SUM_SELECT = `sum(api_calls) AS "apiCalls", sum(input_tokens) AS "inputTokens", sum(output_tokens) AS "outputTokens",
  sum(cache_write_tokens) AS "cacheWriteTokens", sum(cache_read_tokens) AS "cacheReadTokens", sum(cost_usd) AS "costUsd",
  sum(unpriced_calls) AS "unpricedCalls"`;

const col = <T, K>(rows: readonly T[], f: (r: T) => K): K[] => rows.map(f);

/** A stored call as AttributedUsage. */
const CALL_COLUMNS = `key, skill, attribution, user_hash AS "userHash", session_key AS "sessionKey", invocation_id AS "invocationId", model, at,
  input_tokens AS "inputTokens", output_tokens AS "outputTokens", cache_write_tokens AS "cacheWriteTokens",
  cache_write_1h_tokens AS "cacheWrite1hTokens", cache_read_tokens AS "cacheReadTokens", cost_usd AS "costUsd"`;

/** Rollup rows written per statement when a reprice rebuilds them. */
const REBUILD_CHUNK_ROWS = 5_000;

export class PgSkillCostStore implements SkillCostStore {
  constructor(private readonly pool: pg.Pool) {}

  async record(rows: readonly AttributedUsage[]): Promise<{ inserted: number; duplicates: number }> {
    assertAttributedUsage(rows);
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    return inTransaction(this.pool, (client) => this.recordIn(client, rows));
  }

  /** record, on a client inside a transaction the caller runs (InvocationStore.recordWithCosts). */
  async recordIn(client: pg.PoolClient, rows: readonly AttributedUsage[]): Promise<{ inserted: number; duplicates: number }> {
    assertAttributedUsage(rows);
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    // One row per key within the batch: the first, or a later one that revises it (revisedCall).
    const byKey = new Map<string, AttributedUsage>();
    for (const r of rows) {
      const first = byKey.get(r.key);
      const rev = first ? revisedCall(first, r) : r;
      if (rev) byKey.set(r.key, rev);
    }
    const unique = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const res = await client.query<{ key: string }>(
      `INSERT INTO skill_cost_calls (key, skill, attribution, user_hash, session_key, invocation_id, model, at,
        input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, cost_usd, cache_write_1h_tokens)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
        $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::double precision[], $14::bigint[])
      ON CONFLICT (key) DO NOTHING RETURNING key`,
      [
        col(unique, (r) => r.key),
        col(unique, (r) => r.skill),
        col(unique, (r) => r.attribution),
        col(unique, (r) => r.userHash),
        col(unique, (r) => r.sessionKey),
        col(unique, (r) => r.invocationId ?? null),
        col(unique, (r) => r.model),
        col(unique, (r) => r.at),
        col(unique, (r) => r.inputTokens),
        col(unique, (r) => r.outputTokens),
        col(unique, (r) => r.cacheWriteTokens),
        col(unique, (r) => r.cacheReadTokens),
        col(unique, (r) => r.costUsd),
        col(unique, (r) => r.cacheWrite1hTokens ?? null),
      ],
    );
    const rollup = new CostRollup();
    const fresh = new Set(res.rows.map((x) => x.key));
    for (const key of fresh) rollup.add(byKey.get(key)!);
    // Recorded already: the same calls, or, with more output tokens, their revisions (revisedCall).
    const seen = unique.filter((r) => !fresh.has(r.key));
    if (seen.length > 0) {
      const stored = await client.query<AttributedUsage>(`SELECT ${CALL_COLUMNS} FROM skill_cost_calls WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`, [
        col(seen, (r) => r.key),
      ]);
      const revised: AttributedUsage[] = [];
      for (const old of stored.rows) {
        const rev = revisedCall(old, byKey.get(old.key)!);
        if (rev === null) continue;
        rollup.add(old, -1);
        rollup.add(rev);
        revised.push(rev);
      }
      if (revised.length > 0) {
        await client.query(
          `UPDATE skill_cost_calls c SET input_tokens = u.input, output_tokens = u.output, cache_write_tokens = u.write,
            cache_write_1h_tokens = u.write_1h, cache_read_tokens = u.read, cost_usd = u.cost
          FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::double precision[])
            AS u (key, input, output, write, write_1h, read, cost) WHERE c.key = u.key`,
          [
            col(revised, (r) => r.key),
            col(revised, (r) => r.inputTokens),
            col(revised, (r) => r.outputTokens),
            col(revised, (r) => r.cacheWriteTokens),
            col(revised, (r) => r.cacheWrite1hTokens ?? null),
            col(revised, (r) => r.cacheReadTokens),
            col(revised, (r) => r.costUsd),
          ],
        );
      }
    }
    await this.writeDeltas(client, rollup.deltas());
    return { inserted: fresh.size, duplicates: rows.length - fresh.size };
  }

  async reprice(prices: PriceTable, opts: RepriceOptions = {}): Promise<RepriceResult> {
    return inTransaction(this.pool, async (client) => {
      // Writers wait until the reprice commits (and reprices one another); readers do not.
      await client.query('LOCK TABLE skill_cost_calls IN SHARE ROW EXCLUSIVE MODE');
      const result = emptyRepriceResult();
      let rollup = new CostRollup();
      const total = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM skill_cost_calls')).rows[0]!.n);
      let done = 0;
      await client.query('DELETE FROM skill_cost_hourly');
      await client.query('DELETE FROM skill_cost_skill_hourly');
      await client.query('DELETE FROM skill_cost_daily');
      await client.query('DELETE FROM skill_cost_invocations');
      await client.query(`DECLARE reprice_calls NO SCROLL CURSOR FOR SELECT ${CALL_COLUMNS} FROM skill_cost_calls`);
      for (;;) {
        const { rows } = await client.query<AttributedUsage>(`FETCH ${opts.pageRows ?? REPRICE_PAGE_ROWS} FROM reprice_calls`);
        if (rows.length === 0) break;
        done += rows.length;
        opts.onProgress?.(done, total);
        const changed = repricePage(prices, rows, rollup, result);
        if (changed.length > 0) {
          await client.query(
            `UPDATE skill_cost_calls c SET cost_usd = u.cost FROM unnest($1::text[], $2::double precision[]) AS u (key, cost) WHERE c.key = u.key`,
            [col(changed, (r) => r.key), col(changed, (r) => r.costUsd)],
          );
        }
        if (rollup.calls >= (opts.flushEvery ?? REPRICE_FLUSH_CALLS)) {
          await this.addRebuilt(client, rollup.deltas());
          rollup = new CostRollup();
        }
      }
      await client.query('CLOSE reprice_calls');
      await this.addRebuilt(client, rollup.deltas());
      return result;
    });
  }

  /** Adds a reprice's sums to the rollups, REBUILD_CHUNK_ROWS rows per statement. */
  private async addRebuilt(client: pg.PoolClient, all: CostDeltas): Promise<void> {
    const n = Math.max(all.hourly.length, all.skillHourly.length, all.daily.length, all.invocations.length);
    for (let i = 0; i < n; i += REBUILD_CHUNK_ROWS) {
      const part = <T>(xs: readonly T[]) => xs.slice(i, i + REBUILD_CHUNK_ROWS);
      await this.writeDeltas(client, {
        hourly: part(all.hourly),
        skillHourly: part(all.skillHourly),
        daily: part(all.daily),
        invocations: part(all.invocations),
      });
    }
  }

  /** Adds each delta to its rollup row (a new row when none), a statement per rollup. */
  private async writeDeltas(client: pg.PoolClient, { hourly, skillHourly, daily, invocations }: CostDeltas): Promise<void> {
    const upPeriod = async (table: string, period: string, deltas: readonly PeriodCostDelta[]) => {
      if (deltas.length === 0) return;
      await client.query(
        `INSERT INTO ${table} AS t (skill, attribution, ${period}, api_calls, input_tokens, output_tokens,
            cache_write_tokens, cache_read_tokens, cost_usd, unpriced_calls)
          SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
            $7::bigint[], $8::bigint[], $9::double precision[], $10::bigint[])
          ON CONFLICT (skill, attribution, ${period}) DO UPDATE SET ${SUM_UPDATE}`,
        [
          col(deltas, (d) => d.skill),
          col(deltas, (d) => d.attribution),
          col(deltas, (d) => d.period),
          col(deltas, (d) => d.apiCalls),
          col(deltas, (d) => d.inputTokens),
          col(deltas, (d) => d.outputTokens),
          col(deltas, (d) => d.cacheWriteTokens),
          col(deltas, (d) => d.cacheReadTokens),
          col(deltas, (d) => d.costUsd),
          col(deltas, (d) => d.unpricedCalls),
        ],
      );
    };
    if (hourly.length > 0) {
      await client.query(
        `INSERT INTO skill_cost_hourly AS t (skill, attribution, user_hash, hour, api_calls, input_tokens, output_tokens,
            cache_write_tokens, cache_read_tokens, cost_usd, unpriced_calls)
          SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
            $8::bigint[], $9::bigint[], $10::double precision[], $11::bigint[])
          ON CONFLICT (skill, attribution, user_hash, hour) DO UPDATE SET ${SUM_UPDATE}`,
        [
          col(hourly, (d) => d.skill),
          col(hourly, (d) => d.attribution),
          col(hourly, (d) => d.userHash),
          col(hourly, (d) => d.hour),
          col(hourly, (d) => d.apiCalls),
          col(hourly, (d) => d.inputTokens),
          col(hourly, (d) => d.outputTokens),
          col(hourly, (d) => d.cacheWriteTokens),
          col(hourly, (d) => d.cacheReadTokens),
          col(hourly, (d) => d.costUsd),
          col(hourly, (d) => d.unpricedCalls),
        ],
      );
    }
    await upPeriod('skill_cost_skill_hourly', 'hour', skillHourly);
    await upPeriod('skill_cost_daily', 'day', daily);
    if (invocations.length > 0) {
      await client.query(
        `INSERT INTO skill_cost_invocations AS t (invocation_id, attribution, skill, user_hash, session_key, first_at, last_at,
            api_calls, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, cost_usd, unpriced_calls)
          SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
            $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::double precision[], $14::bigint[])
          ON CONFLICT (invocation_id, attribution) DO UPDATE SET first_at = least(t.first_at, excluded.first_at),
            last_at = greatest(t.last_at, excluded.last_at), ${SUM_UPDATE}`,
        [
          col(invocations, (d) => d.invocationId),
          col(invocations, (d) => d.attribution),
          col(invocations, (d) => d.skill),
          col(invocations, (d) => d.userHash),
          col(invocations, (d) => d.sessionKey),
          col(invocations, (d) => d.firstAt),
          col(invocations, (d) => d.lastAt),
          col(invocations, (d) => d.apiCalls),
          col(invocations, (d) => d.inputTokens),
          col(invocations, (d) => d.outputTokens),
          col(invocations, (d) => d.cacheWriteTokens),
          col(invocations, (d) => d.cacheReadTokens),
          col(invocations, (d) => d.costUsd),
          col(invocations, (d) => d.unpricedCalls),
        ],
      );
    }
  }

  async totals(query: SkillCostQuery = {}): Promise<SkillCostTotal[]> {
    if (query.skills && query.skills.length === 0) return [];
    if (query.userHash === undefined) return this.everyone(query);
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (query.fromHour !== undefined) where.push(`hour >= ${arg(query.fromHour)}`);
    if (query.toHour !== undefined) where.push(`hour <= ${arg(query.toHour)}`);
    if (query.userHash !== undefined) where.push(`user_hash = ${arg(query.userHash)}`);
    if (query.skills) where.push(`skill = ANY(${arg([...query.skills])}::text[])`);
    const { rows } = await this.pool.query<SkillCostTotal>(
      `SELECT skill, attribution, sum(api_calls) AS "apiCalls", sum(input_tokens) AS "inputTokens", sum(output_tokens) AS "outputTokens",
        sum(cache_write_tokens) AS "cacheWriteTokens", sum(cache_read_tokens) AS "cacheReadTokens", sum(cost_usd) AS "costUsd",
        sum(unpriced_calls) AS "unpricedCalls"
      FROM skill_cost_hourly ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY skill, attribution ORDER BY skill COLLATE "C", attribution COLLATE "C"`,
      args,
    );
    return rows;
  }

  /** Everyone's totals: the pieces (whole days, edge hours) as one UNION ALL statement, so they see one snapshot. */
  private async everyone(query: SkillCostQuery): Promise<SkillCostTotal[]> {
    const split = costTotalPieces(query.fromHour, query.toHour);
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    const skills = query.skills ? ` AND skill = ANY(${arg([...new Set(query.skills)])}::text[])` : '';
    const piece = (table: string, period: string, from: number, to: number) =>
      `SELECT skill, attribution, ${SUM_SELECT} FROM ${table} WHERE ${period} BETWEEN ${arg(from)} AND ${arg(to)}${skills} GROUP BY skill, attribution`;
    const parts: string[] = [];
    if (split.days) parts.push(piece('skill_cost_daily', 'day', split.days.fromDay, split.days.toDay));
    for (const h of split.hours) parts.push(piece('skill_cost_skill_hourly', 'hour', h.fromHour, h.toHour));
    if (parts.length === 0) return [];
    const { rows } = await this.pool.query<SkillCostTotal>(parts.join(' UNION ALL '), args);
    return mergeCostTotals(rows);
  }

  async invocations(query: SkillInvocationCostQuery = {}): Promise<SkillInvocationCost[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (query.fromMs !== undefined) where.push(`first_at >= ${arg(query.fromMs)}`);
    if (query.toMs !== undefined) where.push(`first_at <= ${arg(query.toMs)}`);
    if (query.userHash !== undefined) where.push(`user_hash = ${arg(query.userHash)}`);
    if (query.attribution !== undefined) where.push(`attribution = ${arg(query.attribution)}`);
    if (query.skills) where.push(`skill = ANY(${arg([...query.skills])}::text[])`);
    const limit = arg(query.limit ?? 100);
    const { rows } = await this.pool.query<SkillInvocationCost>(
      `SELECT invocation_id AS "invocationId", skill, attribution, session_key AS "sessionKey", first_at AS "firstAt", last_at AS "lastAt", ${SUMS}
      FROM skill_cost_invocations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY first_at DESC, invocation_id COLLATE "C", attribution COLLATE "C" LIMIT ${limit}`,
      args,
    );
    return rows;
  }
}
