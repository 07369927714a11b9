/**
 * Shared pieces of the analytics tools: the window field (the rule itself is
 * analytics/window.ts), input field schemas, and the objects the tools read
 * and write through.
 */
import { z } from 'zod';
import { HOUR_MS } from '../../analytics/types.js';
import { MAX_WINDOW_HOURS, MIN_WINDOW_HOURS, MIN_WINDOW_TEXT, WINDOW_RULE } from '../../analytics/window.js';
import { AppError } from '../../errors.js';
import type { AnalyticsQueries, AnalyticsRecords } from '../../store/analytics-types.js';
import type { ToolDeps } from '../tool-deps.js';
import { NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE } from '../../validation.js';

export { WINDOW_RULE };

/** The `time_window_hours` input of every tool that takes a window (one definition). */
export const windowHoursField = (defaultHours: number, what = 'Window length in hours') =>
  z
    .number()
    .min(MIN_WINDOW_HOURS, `must be >= ${MIN_WINDOW_TEXT}`)
    .max(MAX_WINDOW_HOURS, `must be <= ${MAX_WINDOW_HOURS}`)
    .default(defaultHours)
    .describe(`${what}: the last N hours ending now; fractional values allowed, from ${MIN_WINDOW_TEXT} to ${MAX_WINDOW_HOURS}`);

/** A range of whole hours (used by series such as trends, not by rolling windows). */
export interface HourWindow {
  /** First hour (epoch hours), inclusive. */
  fromHour: number;
  /** Last hour (epoch hours), inclusive. */
  toHour: number;
  /** As reported: ISO bounds (from inclusive, to exclusive) and the length in hours. */
  window: { from: string; to: string; hours: number };
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

/** A range of whole hours as reported by series (from inclusive, to exclusive). */
export const hoursRangeSchema = z.object({
  from: z.string().describe('Start of the first hour, ISO 8601 UTC (inclusive)'),
  to: z.string().describe('End of the last hour, ISO 8601 UTC (exclusive)'),
  hours: z.number().int(),
});

/** A rolling window as reported (see analytics/window.ts). */
export const windowSchema = z.object({
  from: z.string().describe('Start of the window, ISO 8601 UTC (inclusive)'),
  to: z.string().describe('End of the window (now), ISO 8601 UTC (inclusive)'),
  hours: z.number(),
});

/** Field schemas shared by several tools. */
export const skillNameField = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE);

export const intField = (min: number, max: number) => z.number().int('must be an integer').min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);

export const numberField = (min: number, max: number) => z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);

/** The objects the analytics tools read and write through (one set per registration). */
export interface AnalyticsContext {
  deps: ToolDeps;
  queries: AnalyticsQueries;
  records: AnalyticsRecords;
}

export function createAnalyticsContext(deps: ToolDeps): AnalyticsContext {
  return { deps, queries: deps.analyticsQueries, records: deps.analyticsRecords };
}

/**
 * Throws NOT_FOUND (naming skill_name) when the skill was never recorded. `mcp:<server>` is how the skill
 * report names an MCP server as a whole; its calls are recorded per tool (`mcp__<server>__<tool>`), and
 * the answer says so.
 */
export async function requireSkill(ctx: AnalyticsContext, skill: string): Promise<void> {
  if (!(await ctx.queries.skillExists(skill))) {
    const server = /^mcp:(.+)$/.exec(skill)?.[1];
    const hint = server ? `; get_skill_report's '${skill}' sums an MCP server's tools, recorded one by one as 'mcp__${server}__<tool>': name one of them` : '';
    throw new AppError('NOT_FOUND', `skill_name: no invocations of '${skill}' have been recorded${hint}`, {
      field: 'skill_name',
      rule: 'must name a recorded skill',
    });
  }
}
