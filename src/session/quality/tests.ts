/**
 * Tests dimension (weight 25). Checks:
 * - test files (40 pts): 40 × min(1, ratio / 0.5), ratio = test files / non-test source
 *   files (any test file with no other source earns 40; none earns 0);
 * - test command (30 pts): a real `test` script in package.json, or pytest/tox/nox
 *   config, or a Makefile `test:` target;
 * - coverage (30 pts): 30 × min(1, line% / 80) from a coverage report on disk;
 *   not measured when no report exists.
 * With no source file at all (test or not) there is nothing to test: the dimension is not measured.
 */
import { countFiles } from '../file-kinds.js';
import type { ProjectContext } from '../project-context.js';
import { asRecord } from '../project-detect.js';
import { COVERAGE_REPORTS, readCoverage } from './coverage.js';
import { buildDimension, noSourceDimension, pct, plural, round1 } from './dimension.js';
import type { Check, DimensionResult } from './types.js';

export const TESTS_WEIGHT = 25;
const TEST_RATIO_TARGET = 0.5;
const COVERAGE_TARGET = 80;
const DAY_MS = 86_400_000;

export function assessTests(ctx: ProjectContext): DimensionResult {
  const counts = countFiles(ctx.listing.files);
  const truncatedNote = ctx.listing.truncated ? ` (file list capped at ${ctx.listing.cap})` : '';
  if (counts.source === 0) return noSourceDimension('tests', 'Tests', TESTS_WEIGHT, 'test', ctx.listing.files.length, truncatedNote);
  const checks: Check[] = [];

  const ratio = counts.nonTestSource === 0 ? null : counts.test / counts.nonTestSource;
  const filePoints = counts.test === 0 ? 0 : ratio === null ? 40 : 40 * Math.min(1, ratio / TEST_RATIO_TARGET);
  checks.push({
    id: 'tests.files',
    label: 'Test files',
    maxPoints: 40,
    points: round1(filePoints),
    evidence:
      `${plural(counts.test, 'test file')} for ${plural(counts.nonTestSource, 'non-test source file')}` +
      (ratio === null ? '' : ` (ratio ${ratio.toFixed(2)}; full points at ${TEST_RATIO_TARGET.toFixed(2)})`) +
      truncatedNote,
    advice:
      counts.test === 0
        ? 'Add automated tests (no test files found)'
        : `Add tests: ${plural(counts.test, 'test file')} for ${plural(counts.nonTestSource, 'source file')}`,
  });

  const cmd = findTestCommand(ctx);
  checks.push({
    id: 'tests.command',
    label: 'Test command',
    maxPoints: 30,
    points: cmd ? 30 : 0,
    evidence: cmd ?? 'none found (no package.json "test" script, pytest/tox/nox config or Makefile test target)',
    advice: 'Add a single test command (package.json "test" script or pytest configuration)',
  });

  const cov = readCoverage(ctx);
  if (cov) {
    const age = cov.mtime === null ? '' : `, report ${Math.max(0, Math.floor((ctx.now - cov.mtime) / DAY_MS))} days old`;
    checks.push({
      id: 'tests.coverage',
      label: 'Coverage',
      maxPoints: 30,
      points: round1(30 * Math.min(1, cov.percent / COVERAGE_TARGET)),
      evidence: `line coverage ${pct(cov.percent)} from ${cov.file}${age} (full points at ${COVERAGE_TARGET}%)`,
      advice: `Raise line coverage from ${pct(cov.percent)} towards ${COVERAGE_TARGET}%`,
    });
  } else {
    checks.push({
      id: 'tests.coverage',
      label: 'Coverage',
      maxPoints: 30,
      points: null,
      evidence: `not measured: no coverage report found (looked for ${COVERAGE_REPORTS.join(', ')})`,
      advice: 'Write a coverage report (e.g. c8 --reporter=json-summary, or pytest --cov --cov-report=json) so coverage can be measured',
    });
  }
  return buildDimension('tests', 'Tests', TESTS_WEIGHT, checks);
}

const NPM_PLACEHOLDER = /no test specified/i;

function findTestCommand(ctx: ProjectContext): string | null {
  const scripts = asRecord(ctx.packageJson()?.scripts);
  const test = scripts?.test;
  if (typeof test === 'string' && test.trim() !== '' && !NPM_PLACEHOLDER.test(test)) {
    return `package.json scripts.test = ${JSON.stringify(clip(test))}`;
  }
  const py = ctx.pyproject();
  if (py?.tables.has('tool.pytest.ini_options')) return 'pyproject.toml [tool.pytest.ini_options]';
  if (ctx.exists('pytest.ini')) return 'pytest.ini present';
  if (ctx.exists('tox.ini')) return 'tox.ini present';
  if (ctx.readIni('setup.cfg')?.has('tool:pytest')) return 'setup.cfg [tool:pytest]';
  if (ctx.exists('noxfile.py')) return 'noxfile.py present';
  const make = ctx.readText('Makefile');
  if (make !== null && /^test\s*:/m.test(make)) return 'Makefile has a test target';
  return null;
}

function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
