/**
 * Cost of an API call from a price table per model and token kind (USD per
 * million tokens). Pure: the shipped table (model-prices.json) and a user's
 * override file are read elsewhere and handed in. No price is ever guessed:
 * a model that no entry matches has cost null (its tokens still count).
 *
 * A table entry `k` matches a model id that is `k` itself or `k` followed by
 * a release date (`-YYYYMMDD`, or `@YYYYMMDD` as cloud providers write it),
 * e.g. `claude-sonnet-4-5` matches `claude-sonnet-4-5-20250929`. Nothing else
 * matches: `claude-opus-4` does not match `claude-opus-4-5`.
 */
import { closestName } from '../suggest.js';

export interface ModelPrice {
  /** Base input tokens. */
  input: number;
  output: number;
  /** Cache writes with the default 5-minute lifetime. */
  cacheWrite: number;
  /** Cache writes with the 1-hour lifetime; the 5-minute price when absent. */
  cacheWrite1h?: number;
  /** Cache hits and refreshes. */
  cacheRead: number;
}

export interface PriceTable {
  version: string;
  source: string;
  models: Record<string, ModelPrice>;
}

/** Token counts of one API call (the Messages API's `usage`). */
export interface CallTokens {
  input: number;
  output: number;
  /** All cache writes (cache_creation_input_tokens). */
  cacheWrite: number;
  /** Of those, written with the 1-hour lifetime (usage.cache_creation.ephemeral_1h_input_tokens). */
  cacheWrite1h?: number;
  cacheRead: number;
}

const PRICE_KINDS = ['input', 'output', 'cacheWrite', 'cacheRead'] as const;
const DATED = /^(.+)[-@](\d{8})$/;

/** The entry that prices `model`, or null. */
export function priceFor(table: PriceTable, model: string | null): ModelPrice | null {
  if (!model) return null;
  const exact = Object.hasOwn(table.models, model) ? table.models[model] : undefined;
  if (exact) return exact;
  const m = DATED.exec(model);
  return m && Object.hasOwn(table.models, m[1]!) ? table.models[m[1]!]! : null;
}

/** USD for one call; null when the model has no price. */
export function callCost(table: PriceTable, model: string | null, t: CallTokens): number | null {
  const p = priceFor(table, model);
  if (!p) return null;
  const oneHour = Math.min(t.cacheWrite1h ?? 0, t.cacheWrite);
  const micro =
    t.input * p.input + t.output * p.output + (t.cacheWrite - oneHour) * p.cacheWrite + oneHour * (p.cacheWrite1h ?? p.cacheWrite) + t.cacheRead * p.cacheRead;
  return micro / 1_000_000;
}

/**
 * Checks a parsed price file; returns the problem (naming the field) or null.
 * `partial`: an override file, whose version and source may be absent.
 */
export function priceTableProblem(raw: unknown, partial: boolean): string | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'must be a JSON object';
  const t = raw as Record<string, unknown>;
  for (const f of ['version', 'source'] as const) {
    if (t[f] === undefined && partial) continue;
    if (typeof t[f] !== 'string' || t[f] === '') return `${f}: must be a non-empty string`;
  }
  const models = t.models;
  if (models === null || typeof models !== 'object' || Array.isArray(models)) return 'models: must be an object of model id -> prices';
  for (const [id, price] of Object.entries(models)) {
    if (price === null || typeof price !== 'object' || Array.isArray(price)) return `models.${id}: must be an object with ${PRICE_KINDS.join(', ')}`;
    const p = price as Record<string, unknown>;
    const known: string[] = [...PRICE_KINDS, 'cacheWrite1h'];
    // An unknown key first: a misspelt kind (`outptu`) is also the missing one it was meant to be.
    const extra = Object.keys(p).filter((k) => !known.includes(k));
    if (extra.length > 0) {
      const meant = closestName(
        extra[0]!,
        known.filter((k) => p[k] === undefined),
      );
      return `models.${id}.${extra[0]}: unknown price kind${meant ? `; did you mean '${meant}'?` : ''} (known: ${known.join(', ')})`;
    }
    for (const k of known) {
      if (k === 'cacheWrite1h' && p[k] === undefined) continue;
      const v = p[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `models.${id}.${k}: must be a number >= 0 (USD per million tokens)`;
    }
  }
  return null;
}

/** The shipped table with an override's models replacing or adding entries; the version names both. */
export function mergePriceTables(base: PriceTable, override: Partial<PriceTable> & { models: Record<string, ModelPrice> }): PriceTable {
  return {
    version: `${base.version}+${override.version ?? 'override'}`,
    source: override.source ? `${override.source}; otherwise ${base.source}` : base.source,
    models: { ...base.models, ...override.models },
  };
}
