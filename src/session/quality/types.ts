/**
 * Shapes shared by the quality dimensions.
 *
 * A dimension is a list of checks. Each check has a maximum number of points
 * and either earns 0..max points from a measured fact, or is "not measured"
 * (points = null) with the reason in its evidence. The dimension score is
 *   score = round(100 × Σ earned / Σ max), over measured checks only,
 * so what cannot be measured is neither rewarded nor punished — it is listed.
 * A dimension with no measured check has measured = false and score 0, and is
 * left out of the total (see score.ts).
 */
export type DimensionId = 'tests' | 'typing' | 'lint' | 'docs' | 'dependencies' | 'git' | 'security';
export type Priority = 'high' | 'medium' | 'low';

export interface Check {
  id: string;
  label: string;
  maxPoints: number;
  /** null = not measured. */
  points: number | null;
  /** The measured fact, or `not measured: <why>`. */
  evidence: string;
  /** What to do when the check did not earn full points. */
  advice?: string;
}

export interface Recommendation {
  priority: Priority;
  text: string;
  dimension: DimensionId | 'storage' | 'session' | 'context';
  /**
   * Points the total score would gain if the check earned full points
   * (weight × missing share of the dimension / 100), null when unknown.
   */
  gain: number | null;
}

export interface DimensionResult {
  id: DimensionId;
  label: string;
  /** Share of the total score, in points out of 100. */
  weight: number;
  /** 0..100 (0 when not measured). */
  score: number;
  measured: boolean;
  /** Measured facts (informational lines first, then one line per check). */
  evidence: string[];
  checks: Check[];
  recommendations: Recommendation[];
}
