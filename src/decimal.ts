/**
 * Numbers as a person types them in a flag, a variable or a query parameter. Number() would also take
 * an exponent (`1e300`), hexadecimal (`0x50`), `Infinity` or surrounding spaces, and turn digits past
 * Number.MAX_SAFE_INTEGER into another number; these take decimal digits only, else NaN, so that
 * every caller's range check refuses the rest with its own words.
 */

/** An integer in decimal digits, with an optional leading `-`; NaN for anything else or past 2^53. */
export function decimalInt(raw: string): number {
  const n = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/** A number in decimal digits with an optional fraction (`2`, `0.5`); NaN for anything else. */
export function decimalNumber(raw: string): number {
  return /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
}
