/**
 * Rounding for numbers that leave the analytics layer (MCP structured content,
 * dashboards). Decisions (thresholds, classifications) are always made on the
 * unrounded values; only the reported numbers are rounded here.
 *
 * Conventions:
 * - rates and proportions (success rate, r²): 4 decimals
 * - durations in ms: 1 decimal
 * - scores (z scores, deviation scores, percentiles): 2 decimals
 * - regression coefficients (slope, intercept): 6 decimals
 * - p-values: 4 significant digits (so tiny p-values do not collapse to 0)
 * - search relevance (0 to 1, relative to the best hit): 3 significant digits (a hit far below the best stays above 0)
 */

/**
 * Round half away from zero to `decimals` places. Never returns -0.
 * Non-finite values are returned unchanged.
 */
export function roundTo(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** decimals;
  // The (1 + EPSILON) nudge makes values such as 1.005 (stored as 1.00499…) round up as written.
  const r = (Math.sign(x) * Math.round(Math.abs(x) * f * (1 + Number.EPSILON))) / f;
  return r === 0 ? 0 : r;
}

/** Round to `digits` significant digits. Never returns -0; non-finite values are unchanged. */
function roundSignificant(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return x === 0 ? 0 : x;
  return Number(x.toPrecision(digits));
}

function nullable(fn: (x: number) => number): {
  (x: number): number;
  (x: number | null): number | null;
} {
  return ((x: number | null) => (x === null ? null : fn(x))) as {
    (x: number): number;
    (x: number | null): number | null;
  };
}

/** Rates, proportions and r²: 4 decimals. */
export const roundRate = nullable((x) => roundTo(x, 4));
/** Durations in ms: 1 decimal. */
export const roundMs = nullable((x) => roundTo(x, 1));
/** z scores, deviation scores and percentiles: 2 decimals. */
export const roundScore = nullable((x) => roundTo(x, 2));
/** Regression slope and intercept: 6 decimals. */
export const roundCoef = nullable((x) => roundTo(x, 6));
/** p-values: 4 significant digits. */
export const roundPValue = nullable((x) => roundSignificant(x, 4));
/** Search relevance relative to the best hit: 3 significant digits. */
export const roundRelevance = nullable((x) => roundSignificant(x, 3));
