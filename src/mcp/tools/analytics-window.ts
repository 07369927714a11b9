/**
 * Shared pieces of the analytics tools: the hour-aligned window rule, input
 * field schemas, and the objects the tools read and write through.
 */
import { z } from 'zod';
import { hourOf, HOUR_MS } from '../../analytics/types.js';
import { AppError } from '../../errors.js';
import type { AnalyticsQueries, AnalyticsRecords } from '../../store/analytics-types.js';
import type { ToolDeps } from '../tool-deps.js';
import { NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE } from '../../validation.js';

/**
 * Rule, stated once for descriptions and outputs: rollups are hourly, so
 * windows are whole UTC hours.
 */
export const WINDOW_RULE =
  'Windows are whole UTC hours: a window of h hours covers the current (partial) hour plus the h-1 full hours ' +
  'before it; from is inclusive, to (the end of the current hour) exclusive.';

export interface HourWindow {
  /** First hour (epoch hours), inclusive. */
  fromHour: number;
  /** Last hour (epoch hours), inclusive. */
  toHour: number;
  /** As reported: ISO bounds (from inclusive, to exclusive) and the length in hours. */
  window: { from: string; to: string; hours: number };
}

/** The `hours`-hour window ending with the hour that contains `now`. */
export function hourWindow(now: number, hours: number): HourWindow {
  const toHour = hourOf(now);
  return hoursRange(toHour - hours + 1, toHour);
}

/** The window of hours [fromHour, toHour], both inclusive. */
export function hoursRange(fromHour: number, toHour: number): HourWindow {
  return {
    fromHour,
    toHour,
    window: {
      from: new Date(fromHour * HOUR_MS).toISOString(),
      to: new Date((toHour + 1) * HOUR_MS).toISOString(),
      hours: toHour - fromHour + 1,
    },
  };
}

export const windowSchema = z.object({
  from: z.string().describe('Start of the first hour, ISO 8601 UTC (inclusive)'),
  to: z.string().describe('End of the last hour, ISO 8601 UTC (exclusive)'),
  hours: z.number().int(),
});

/** Field schemas shared by several tools. */
export const skillNameField = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE);

export const intField = (min: number, max: number) =>
  z.number().int('must be an integer').min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);

export const numberField = (min: number, max: number) =>
  z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);

/** The objects the analytics tools read and write through (one set per registration). */
export interface AnalyticsContext {
  deps: ToolDeps;
  queries: AnalyticsQueries;
  records: AnalyticsRecords;
}

export function createAnalyticsContext(deps: ToolDeps): AnalyticsContext {
  return { deps, queries: deps.analyticsQueries, records: deps.analyticsRecords };
}

/** Throws NOT_FOUND (naming skill_name) when the skill was never recorded. */
export async function requireSkill(ctx: AnalyticsContext, skill: string): Promise<void> {
  if (!(await ctx.queries.skillExists(skill))) {
    throw new AppError('NOT_FOUND', `skill_name: no invocations of '${skill}' have been recorded`, {
      field: 'skill_name',
      rule: 'must name a recorded skill',
    });
  }
}
