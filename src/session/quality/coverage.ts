/**
 * Reads line coverage from a coverage report already on disk (never runs the
 * tests). Supported: istanbul json-summary, lcov, coverage.py JSON, Cobertura XML.
 */
import type { ProjectContext } from '../project-context.js';

export interface CoverageReading {
  file: string;
  format: 'istanbul-summary' | 'lcov' | 'coverage.py-json' | 'cobertura';
  /** Line coverage in percent. */
  percent: number;
  /** Report modification time (ms). */
  mtime: number | null;
}

export const COVERAGE_REPORTS: readonly string[] = [
  'coverage/coverage-summary.json',
  'coverage/lcov.info',
  'lcov.info',
  'coverage.json',
  'coverage/coverage.json',
  'coverage.xml',
  'coverage/cobertura-coverage.xml',
];

const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export function readCoverage(ctx: ProjectContext): CoverageReading | null {
  for (const file of COVERAGE_REPORTS) {
    const text = ctx.readText(file, MAX_REPORT_BYTES);
    if (text === null) continue;
    const percent = parseCoverage(file, text);
    if (percent === null) continue;
    return { file, format: formatOf(file), percent: percent.value, mtime: ctx.mtime(file) };
  }
  return null;
}

function formatOf(file: string): CoverageReading['format'] {
  if (file.endsWith('coverage-summary.json')) return 'istanbul-summary';
  if (file.endsWith('.info')) return 'lcov';
  if (file.endsWith('.json')) return 'coverage.py-json';
  return 'cobertura';
}

export function parseCoverage(file: string, text: string): { value: number } | null {
  const fmt = formatOf(file);
  if (fmt === 'istanbul-summary') {
    const pct = jsonPath(text, ['total', 'lines', 'pct']);
    return typeof pct === 'number' && Number.isFinite(pct) ? { value: pct } : null;
  }
  if (fmt === 'coverage.py-json') {
    const pct = jsonPath(text, ['totals', 'percent_covered']);
    return typeof pct === 'number' && Number.isFinite(pct) ? { value: pct } : null;
  }
  if (fmt === 'lcov') {
    // Σ LH (lines hit) / Σ LF (lines found) over all records.
    let found = 0;
    let hit = 0;
    for (const m of text.matchAll(/^(LF|LH):(\d+)\s*$/gm)) {
      if (m[1] === 'LF') found += Number(m[2]);
      else hit += Number(m[2]);
    }
    return found > 0 ? { value: (100 * hit) / found } : null;
  }
  const m = /<coverage\b[^>]*\bline-rate="([0-9.]+)"/.exec(text);
  return m ? { value: 100 * Number(m[1]) } : null;
}

function jsonPath(text: string, keys: string[]): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
