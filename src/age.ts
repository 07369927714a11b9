/**
 * An age as a person types it (`365d`, `12w`, `48h`): `archive --older-than`, and `search --since` /
 * `--until` ("that long ago").
 */
import { AppError } from './errors.js';

/** The longest age taken (`archive --older-than`; `SESSION_BUDDY_RETENTION_DAYS` has the same bound in config.ts). */
const MAX_AGE_DAYS = 36_500;
const AGE = /^(\d+)\s*([dhw])$/;

/** Whether `text` is written as an age (digits and a unit), right or wrong in its size. */
export function looksLikeAge(text: string): boolean {
  return AGE.test(text.trim());
}

/** Parses an age like `365d`, `12w`, `48h` into milliseconds; `field` names the input in an error. */
export function parseAge(text: string, field = 'older-than'): number {
  const m = AGE.exec(text.trim());
  if (!m) throw AppError.invalid(field, 'must look like 365d, 12w or 48h');
  const n = Number(m[1]);
  if (n <= 0) throw AppError.invalid(field, 'must be positive');
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 'd' ? 86_400_000 : 7 * 86_400_000;
  // A cutoff further back than this is no date a row can have (and past ~273,000 years no date at all).
  if (n * unit > MAX_AGE_DAYS * 86_400_000) throw AppError.invalid(field, `must be at most ${MAX_AGE_DAYS}d (100 years)`);
  return n * unit;
}
