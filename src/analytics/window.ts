/**
 * The window rule, stated once for every tool, the dashboard and the
 * WebSocket snapshots: a window of h hours is the last h hours ending now,
 * every invocation with from <= invoked_at <= to, where to = now and
 * from = now - h hours (rounded to the millisecond). h may be fractional,
 * from 5 minutes up to 720 hours (30 days). The lower bound is 0.0833 h, the
 * figure the error message and the README print (1/12 h rounded down), so
 * that the value a user copies from them is accepted.
 */
import { AppError } from '../errors.js';
import { HOUR_MS } from './types.js';

/** Shortest window: 5 minutes, as printed (0.0833 h, i.e. 1/12 h rounded down: 4 min 59.88 s). */
export const MIN_WINDOW_HOURS = 0.0833;
export const MIN_WINDOW_TEXT = '5 minutes (0.0833 h)';
/** Longest window: 30 days. */
export const MAX_WINDOW_HOURS = 720;

export const WINDOW_RULE =
  'A window of h hours is the last h hours ending now: invocations with from <= invoked_at <= to (both inclusive), ' +
  `to = now, from = now - h hours; h may be fractional, at least ${MIN_WINDOW_TEXT}, at most ${MAX_WINDOW_HOURS}.`;

/**
 * A window's length for people: under an hour in minutes ("5 min" for the
 * smallest window, whose hours are 0.0833), otherwise in hours ("24 h",
 * "1.5 h"). At most one decimal of a minute and two of an hour, without
 * trailing zeros. JSON keeps the number of hours as given.
 */
export function formatWindowHours(hours: number): string {
  const minutes = Math.round(hours * 600) / 10;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.round(hours * 100) / 100} h`;
}

/** A range of invocation times, both ends inclusive (epoch ms). */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export interface RollingWindow extends TimeRange {
  /** As reported: ISO bounds (both inclusive) and the length in hours. */
  window: { from: string; to: string; hours: number };
}

/** Throws INVALID_INPUT naming `field` unless `hours` is a finite number in [MIN_WINDOW_HOURS, MAX_WINDOW_HOURS]. */
export function checkWindowHours(hours: number, field = 'time_window_hours'): void {
  if (!Number.isFinite(hours) || hours < MIN_WINDOW_HOURS || hours > MAX_WINDOW_HOURS) {
    throw AppError.invalid(field, `must be a number of hours from ${MIN_WINDOW_TEXT} to ${MAX_WINDOW_HOURS}`);
  }
}

function describe(fromMs: number, toMs: number, hours: number): RollingWindow {
  return { fromMs, toMs, window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), hours } };
}

/** The last `hours` hours ending at `now`. */
export function rollingWindow(now: number, hours: number): RollingWindow {
  return describe(now - Math.round(hours * HOUR_MS), now, hours);
}

/** The `hours` hours right before `w` (ending 1 ms before w's start), e.g. a baseline. */
export function windowBefore(w: TimeRange, hours: number): RollingWindow {
  return describe(w.fromMs - Math.round(hours * HOUR_MS), w.fromMs - 1, hours);
}

/** Whether an invocation time falls in the window. */
export function inWindow(w: TimeRange, invokedAt: number): boolean {
  return invokedAt >= w.fromMs && invokedAt <= w.toMs;
}
