/**
 * Leases for periodic jobs shared by several instances (e.g. scheduled
 * anomaly detection on one PostgreSQL store): time is cut into numbered
 * slots, and exactly one claimer wins each slot of a job. Kept in the
 * `settings` table (key `job:<name>`, value the last claimed slot).
 */
export interface JobLeases {
  /**
   * Claims `slot` of `job`: resolves true for exactly one caller per slot
   * (whichever store connection commits first), false for every other and
   * for any slot at or below one already claimed.
   */
  claim(job: string, slot: number): Promise<boolean>;
}

export function leaseKey(job: string): string {
  return `job:${job}`;
}
