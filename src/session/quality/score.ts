/**
 * Quality Score V2: seven measured dimensions with fixed weights (sum 100).
 *
 *   dimension   weight  what is measured
 *   tests         25    test files vs source files, a test command, coverage report
 *   typing        10    tsconfig strictness / mypy-pyright strictness, type-check command
 *   lint          10    linter config, lint command, formatter
 *   docs          15    README + its sections, docs-to-source ratio, license
 *   dependencies  15    lockfile, lockfile in sync, bounded versions, npm audit / pip-audit
 *   git           15    clean tree, Conventional Commits, recent activity, ignore rules
 *   security      10    secret patterns in tracked files, committed .env, SECURITY.md
 *
 * Each dimension scores 0..100 (see quality/types.ts). Its weighted contribution
 * is weight × score / 100. The total is
 *   total = 100 × Σ weighted / Σ weight   over measured dimensions only,
 * which equals Σ weighted when every dimension was measured; it can never
 * exceed 100 (no bonus points). Dimensions that could not be measured are
 * listed, not scored; `measuredWeight` says how much of the 100 was measured.
 *
 * Maturity label (from the total): ≥ 85 production-grade, ≥ 70 mature,
 * ≥ 50 developing, ≥ 25 early, otherwise minimal — at most developing while
 * credentials are committed (leakedCredentials): a project whose secrets
 * are in its history is not production-grade or mature, whatever its other
 * scores (security weighs 10 of 100).
 */
import { createBudget, type Budget } from '../budget.js';
import { runCommand, type CommandRunner } from '../exec.js';
import { loadProjectContext } from '../project-context.js';
import { detectProject, type ProjectInfo } from '../project-detect.js';
import { createAuditRunner, type AuditRunner } from './audit.js';
import { assessDependencies, DEPENDENCIES_WEIGHT } from './dependencies.js';
import { round1 } from './dimension.js';
import { assessDocs, DOCS_WEIGHT } from './docs.js';
import { assessGit, GIT_WEIGHT } from './git.js';
import { assessLint, LINT_WEIGHT } from './lint.js';
import { assessSecurity, SECURITY_WEIGHT } from './security.js';
import { assessTests, TESTS_WEIGHT } from './tests.js';
import type { DimensionId, DimensionResult, Priority, Recommendation } from './types.js';
import { assessTyping, TYPING_WEIGHT } from './typing.js';

export const DIMENSION_WEIGHTS: Readonly<Record<DimensionId, number>> = {
  tests: TESTS_WEIGHT,
  typing: TYPING_WEIGHT,
  lint: LINT_WEIGHT,
  docs: DOCS_WEIGHT,
  dependencies: DEPENDENCIES_WEIGHT,
  git: GIT_WEIGHT,
  security: SECURITY_WEIGHT,
};

const DIMENSION_LABELS: Readonly<Record<DimensionId, string>> = {
  tests: 'Tests',
  typing: 'Type checking',
  lint: 'Lint & format',
  docs: 'Documentation',
  dependencies: 'Dependencies',
  git: 'Git hygiene',
  security: 'Security basics',
};

const MATURITY_LEVELS: readonly { min: number; label: string }[] = [
  { min: 85, label: 'production-grade' },
  { min: 70, label: 'mature' },
  { min: 50, label: 'developing' },
  { min: 25, label: 'early' },
  { min: 0, label: 'minimal' },
];

/** The highest maturity while credentials are committed. */
const LEAKED_CREDENTIALS_CAP = 'developing';

export function maturityLabel(total: number, leaked = false): string {
  const level = MATURITY_LEVELS.findIndex((l) => total >= l.min);
  const cap = leaked ? MATURITY_LEVELS.findIndex((l) => l.label === LEAKED_CREDENTIALS_CAP) : 0;
  return MATURITY_LEVELS[Math.max(level, cap)]!.label;
}

/** What the security dimension found committed: possible secrets in files, a tracked .env file (empty when neither). */
function leakedCredentials(dimensions: readonly DimensionResult[]): string[] {
  const security = dimensions.find((d) => d.id === 'security' && d.measured);
  const lost = (id: string) => security?.checks.some((c) => c.id === id && c.points !== null && c.points < c.maxPoints) ?? false;
  return [lost('security.secrets') && 'possible secrets', lost('security.env') && 'a .env file'].filter((x): x is string => typeof x === 'string');
}

export interface QualityReport {
  version: 2;
  /** 0..100, one decimal; null when no dimension could be measured. */
  total: number | null;
  maturity: string | null;
  /** Why the maturity is below what the total alone gives (committed credentials); null when it is not capped. */
  maturityReason: string | null;
  /** Sum of the weights of the measured dimensions (100 when all were measured). */
  measuredWeight: number;
  dimensions: DimensionResult[];
  /** All dimension recommendations, high priority first, then by gain. */
  recommendations: Recommendation[];
  project: ProjectInfo;
  assessedAt: string;
}

export interface QualityOptions {
  run?: CommandRunner;
  now?: number;
  /** Dependency audit; defaults to running npm audit / pip-audit with a 10 s timeout. */
  audit?: AuditRunner;
  maxFiles?: number;
  secretScan?: { maxFiles?: number; maxBytes?: number };
  /** Deadline of the whole assessment (default DEFAULT_ASSESSMENT_DEADLINE_MS): what is not done by then is "not measured". */
  deadlineMs?: number;
}

const DEFAULT_ASSESSMENT_DEADLINE_MS = 30_000;

function unmeasuredDimension(id: DimensionId, reason: string): DimensionResult {
  return {
    id,
    label: DIMENSION_LABELS[id],
    weight: DIMENSION_WEIGHTS[id],
    score: 0,
    measured: false,
    evidence: [`not measured: ${reason}`],
    checks: [],
    recommendations: [],
  };
}

function lateDimension(id: DimensionId, budget: Budget): DimensionResult {
  return unmeasuredDimension(id, `the assessment deadline (${budget.seconds} s) passed first`);
}

/** A report that measured nothing (every dimension "not measured" with `reason`), e.g. when the project's directory is gone. */
export function unmeasuredQuality(project: ProjectInfo, reason: string, now: number): QualityReport {
  const ids = Object.keys(DIMENSION_WEIGHTS) as DimensionId[];
  return {
    version: 2,
    total: null,
    maturity: null,
    maturityReason: null,
    measuredWeight: 0,
    dimensions: ids.map((id) => unmeasuredDimension(id, reason)),
    recommendations: [],
    project,
    assessedAt: new Date(now).toISOString(),
  };
}

const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

export function sortRecommendations(recs: Recommendation[]): Recommendation[] {
  return [...recs].sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || (b.gain ?? -1) - (a.gain ?? -1));
}

export function combineDimensions(dimensions: DimensionResult[]): {
  total: number | null;
  maturity: string | null;
  maturityReason: string | null;
  measuredWeight: number;
} {
  const measured = dimensions.filter((d) => d.measured);
  const measuredWeight = measured.reduce((s, d) => s + d.weight, 0);
  if (measuredWeight === 0) return { total: null, maturity: null, maturityReason: null, measuredWeight: 0 };
  // Σ weight × score is an integer (100 × Σ weighted): no floating-point drift before the one rounding.
  const weightedTimes100 = measured.reduce((s, d) => s + d.weight * d.score, 0);
  const total = Math.min(100, round1(weightedTimes100 / measuredWeight));
  const leaked = leakedCredentials(measured);
  const maturity = maturityLabel(total, leaked.length > 0);
  const uncapped = maturityLabel(total);
  const maturityReason =
    maturity === uncapped
      ? null
      : `capped at ${maturity} (${uncapped} by score) while ${leaked.join(' and ')} ${leaked.length === 1 && leaked[0] === 'a .env file' ? 'is' : 'are'} committed`;
  return { total, maturity, maturityReason, measuredWeight };
}

export async function assessQuality(root: string, opts: QualityOptions = {}): Promise<QualityReport> {
  const run = opts.run ?? runCommand;
  const now = opts.now ?? Date.now();
  const budget = createBudget(opts.deadlineMs ?? DEFAULT_ASSESSMENT_DEADLINE_MS);
  const ctx = await loadProjectContext(root, { run, now, budget, ...(opts.maxFiles ? { maxFiles: opts.maxFiles } : {}) });
  const project = detectProject(ctx);
  const audit = opts.audit ?? createAuditRunner(run);
  const late = (id: DimensionId) => () => lateDimension(id, budget);
  const pending = Promise.all([
    budget.race(assessDependencies(ctx, audit), late('dependencies')),
    budget.race(assessGit(ctx), late('git')),
    budget.race(assessSecurity(ctx, opts.secretScan), late('security')),
  ]);
  // The synchronous dimensions read a few small files each; skipped once the deadline has passed.
  const sync = (id: DimensionId, assess: () => DimensionResult) => (budget.expired() ? lateDimension(id, budget) : assess());
  const early = [
    sync('tests', () => assessTests(ctx)),
    sync('typing', () => assessTyping(ctx, project)),
    sync('lint', () => assessLint(ctx)),
    sync('docs', () => assessDocs(ctx)),
  ];
  const [deps, git, security] = await pending;
  const dimensions = [...early, deps, git, security];
  const { total, maturity, maturityReason, measuredWeight } = combineDimensions(dimensions);
  return {
    version: 2,
    total,
    maturity,
    maturityReason,
    measuredWeight,
    dimensions,
    recommendations: sortRecommendations(dimensions.flatMap((d) => d.recommendations)),
    project,
    assessedAt: new Date(now).toISOString(),
  };
}
