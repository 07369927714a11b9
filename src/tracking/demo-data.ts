/**
 * Realistic synthetic invocations for demos and benchmarks: skewed (Zipf)
 * skill popularity, many users and sessions, phases that follow the skill's
 * category, a few chronically poor skills, the recent hours the busiest, and
 * two injected anomalies in the last two hours (one popular skill starts
 * failing, another slows down), so that a server started right after
 * `seed-demo` shows a full dashboard and its scheduled detection finds them.
 * Deterministic for a given seed.
 *
 * Time distribution of session starts: RECENT_SHARE of them are an
 * exponential of mean RECENT_MEAN_HOURS back from now (truncated at the
 * span), the rest uniform over the span (so every day has data for baselines
 * and trends). With the defaults (30 days) about 28 % of the rows fall in the
 * last 24 hours and 4 % in the last 3 hours.
 *
 * Skill activations (`skill:*`) carry their trigger: TYPED_SHARE of them are
 * typed by the user (`/name`: no duration, as a real typed activation, and a
 * third of those right after a turn that did not load the skill, the
 * slash-after-miss candidates), the rest loaded by the model. They are drawn
 * from a stream of their own, so the other rows are the same as without them.
 *
 * Re-runs: the n-th invocation of a seed is the same skill in the same
 * session whatever the count asked for (its user follows the count, its time
 * the span and the clock), and so are the cost rows of the k-th Skill
 * invocation (createDemoCostGenerator). With `dedupeKeys` the n-th has the
 * key `demo:<seed>:<n>` in every run, as its cost rows have keys of their
 * own, so a second run with the same seed adds neither (seed-demo: another
 * seed adds more). Without keys it would add the invocations again but not
 * their costs, halving the cost per invocation.
 */
import { callCost, priceFor, type PriceTable } from '../analytics/model-prices.js';
import { mulberry32 } from '../analytics/prng.js';
import { HOUR_MS } from '../analytics/types.js';
import type { AttributedUsage } from '../store/skill-cost-types.js';
import type { InvocationInput, WorkflowPhase } from './invocation-input.js';

export interface DemoOptions {
  invocations: number;
  seed?: number;
  days?: number;
  users?: number;
  now: number;
  /**
   * Give the n-th invocation (1-based) the dedupe key `demo:<seed>:<n>`, so a
   * second run with the same seed adds nothing (its cost rows have keys of
   * the same kind: see createDemoCostGenerator). Off for the benchmarks, which
   * measure writes without keys.
   */
  dedupeKeys?: boolean;
}

/** The dedupe key of the n-th (1-based) demo invocation of a seed. */
export const demoDedupeKey = (seed: number, n: number) => `demo:${seed}:${n}`;

const DEMO_SKILLS = [
  'run-tests',
  'edit-file',
  'read-file',
  'grep-search',
  'lint',
  'format',
  'type-check',
  'git-commit',
  'code-review',
  'refactor',
  'write-docs',
  'update-readme',
  'changelog',
  'release-notes',
  'deploy',
  'docker-build',
  'ci-pipeline',
  'k8s-rollout',
  'security-audit',
  'dependency-scan',
  'secret-scan',
  'profile-cpu',
  'benchmark',
  'optimize-query',
  'debug-trace',
  'log-analysis',
  'pytest-run',
  'jest-run',
  'coverage-report',
  'e2e-tests',
  'api-docs',
  'adr-write',
  'terraform-plan',
  'helm-upgrade',
  'publish-package',
  'fix-imports',
  'rename-symbol',
  'extract-function',
  'explain-code',
  'generate-tests',
  'snapshot-update',
  'bisect',
  'flaky-test-triage',
  'memory-leak-hunt',
  'sql-migration',
  'schema-review',
  'web-fetch',
  'web-search',
  'notebook-edit',
  'task-planner',
  'todo-write',
  'mcp__github__create_pr',
  'mcp__github__list_issues',
  'mcp__jira__update',
  'mcp__slack__post',
  'agent:explore',
  'agent:code-reviewer',
  'agent:test-runner',
  'skill:pdf',
  'skill:xlsx',
] as const;

/** Skills that fail far more often than the rest. */
const DEMO_POOR_SKILLS = ['flaky-test-triage', 'k8s-rollout', 'memory-leak-hunt'] as const;
/** Skill whose success rate collapses in the last DEMO_ANOMALY_HOURS hours. */
export const DEMO_FAILING_SKILL = 'deploy';
/** Skill that becomes 5x slower in the last DEMO_ANOMALY_HOURS hours. */
export const DEMO_SLOW_SKILL = 'run-tests';
/** The injected anomalies cover the last this many hours (inside the scheduled detection's 3-hour window). */
export const DEMO_ANOMALY_HOURS = 2;
/** Share of sessions drawn close to now, and their mean age in hours (the rest is uniform over the span). */
const RECENT_SHARE = 0.7;
const RECENT_MEAN_HOURS = 48;
/** Popularity ranks (0 = most used) given to the two anomalous skills, so the anomalies have data. */
const ANOMALY_RANKS = [1, 3] as const;

/** Share of the skill activations the user types (the rest the model loads). */
const TYPED_SHARE = 0.12;
/** Of the typed ones, the share that follows a turn without the skill (slash after miss). */
const MISS_SHARE = 1 / 3;

const ERRORS = ['timeout', 'tool_error', 'permission_denied', 'invalid_input', 'rate_limited', 'crash'];

function phaseFor(skill: string, r: number): WorkflowPhase {
  if (/test|coverage|pytest|jest|e2e|snapshot|bisect/.test(skill)) return r < 0.8 ? 'testing' : 'debugging';
  if (/deploy|docker|ci-|k8s|terraform|helm|publish|rollout/.test(skill)) return 'deployment';
  if (/review|lint|type-check|audit|scan/.test(skill)) return r < 0.7 ? 'review' : 'testing';
  if (/doc|readme|changelog|release|adr|explain/.test(skill)) return 'documentation';
  if (/debug|trace|log|leak|profile/.test(skill)) return 'debugging';
  if (/plan|search|fetch|read|grep|todo|explore/.test(skill)) return r < 0.6 ? 'planning' : 'implementation';
  return r < 0.85 ? 'implementation' : 'review';
}

/** Yields the demo invocations in chunks (chronological within each session). */
export function* generateDemoInvocations(opts: DemoOptions, chunkSize = 20_000): Generator<InvocationInput[]> {
  const rand = mulberry32(opts.seed ?? 42);
  const triggerRand = mulberry32(((opts.seed ?? 42) ^ 0x7219_9e11) >>> 0);
  const days = opts.days ?? 30;
  const users = opts.users ?? Math.max(20, Math.min(5000, Math.round(opts.invocations / 200)));
  const skills = DEMO_SKILLS;
  // Zipf weights (s = 1.1) over a seeded shuffle of the skill list.
  const order: string[] = [...skills].sort(() => rand() - 0.5);
  for (const [i, skill] of [DEMO_FAILING_SKILL, DEMO_SLOW_SKILL].entries()) {
    order.splice(order.indexOf(skill), 1);
    order.splice(ANOMALY_RANKS[i]!, 0, skill);
  }
  const weights = order.map((_, i) => 1 / (i + 1) ** 1.1);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w));
  const pickSkill = () => {
    const x = rand() * acc;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return order[lo]!;
  };
  const medianMs = new Map(skills.map((s) => [s as string, 200 + Math.floor(rand() * 20_000)]));
  const poor = new Set<string>(DEMO_POOR_SKILLS);
  const span = days * 24 * HOUR_MS;
  const anomalyStart = opts.now - DEMO_ANOMALY_HOURS * HOUR_MS;
  const recentMean = RECENT_MEAN_HOURS * HOUR_MS;
  // Truncated exponential: age = −τ ln(1 − u (1 − e^(−span/τ))), u uniform.
  const expMass = 1 - Math.exp(-span / recentMean);
  const sessionAge = () => (rand() < RECENT_SHARE ? -recentMean * Math.log(1 - rand() * expMass) : rand() * span);

  let produced = 0;
  let sessionNo = 0;
  let chunk: InvocationInput[] = [];
  while (produced < opts.invocations) {
    sessionNo++;
    const user = `user-${Math.floor(rand() ** 1.5 * users)}`;
    // The whole session is drawn even when only its start is wanted: the first n rows are then the same
    // whatever the count asked for (their keys, `demo:<seed>:<n>`, name the same invocations in every run).
    const length = 5 + Math.floor(rand() * 36);
    // The recent hours are the busiest (see the header): the drawn time is the session's last invocation.
    const gaps = Array.from({ length }, (_, i) => (i === 0 ? 0 : 5_000 + rand() * 120_000));
    let t = opts.now - sessionAge() - gaps.reduce((a, b) => a + b, 0);
    const project = `project-${Math.floor(rand() * 25)}`;
    for (let i = 0; i < length && produced < opts.invocations; i++) {
      const skill = pickSkill();
      const recent = t >= anomalyStart;
      let successP = poor.has(skill) ? 0.45 : 0.93;
      if (recent && skill === DEMO_FAILING_SKILL) successP = 0.2;
      const completed = rand() < successP;
      // Log-normal-ish duration around the skill's median.
      const normal = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
      let duration = Math.round(medianMs.get(skill)! * Math.exp(0.5 * normal));
      if (recent && skill === DEMO_SLOW_SKILL) duration *= 5;
      const row: InvocationInput = {
        skill_name: skill,
        user_id: user,
        session_id: `demo-session-${opts.seed ?? 42}-${sessionNo}`,
        workflow_phase: phaseFor(skill, rand()),
        completed,
        duration_ms: Math.min(duration, 86_400_000),
        error_type: completed ? null : ERRORS[Math.floor(rand() * ERRORS.length)]!,
        invoked_at: Math.round(t),
        project,
        agent: 'demo',
      };
      if (opts.dedupeKeys) row.dedupe_key = demoDedupeKey(opts.seed ?? 42, produced + 1);
      if (skill.startsWith('skill:')) {
        if (triggerRand() < TYPED_SHARE) {
          // A typed activation is recorded on its prompt: it succeeds and has no duration.
          Object.assign(row, { trigger: 'typed', completed: true, error_type: null, duration_ms: 0, slash_after_miss: triggerRand() < MISS_SHARE });
        } else row.trigger = 'model';
      }
      chunk.push(row);
      t += gaps[i + 1] ?? 0;
      produced++;
      if (chunk.length >= chunkSize) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** A model id no price table entry matches: the demo's calls whose cost is unknown. */
export const DEMO_UNPRICED_MODEL = 'demo-local-model';
/**
 * The one demo skill some of whose calls (UNPRICED_SHARE of them) use
 * DEMO_UNPRICED_MODEL. One unpriced call makes a skill's total unknown, so
 * confining them to one skill leaves the other priced (both states show).
 */
export const DEMO_UNPRICED_SKILL = 'skill:xlsx';
const UNPRICED_SHARE = 0.05;
/** Priced models of the demo, most used first (those the shipped table lacks are skipped). */
const DEMO_MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5'] as const;

export interface DemoCostDeps {
  /** The price table costs are computed with (the shipped one, or with the user's override). */
  prices: PriceTable;
  hashUser: (userId: string) => string;
}

/**
 * Synthetic token usage of the demo's Skill invocations (`skill:*` names),
 * for the skill report's cost columns. Per invocation: 2–5 API calls of the
 * skill's own work, attributed `bounded`, and the same calls plus 1–4 later
 * calls of the turn attributed `stamped` (the stamp stays on until the next
 * prompt, so it overstates). Models come from the price table; about 5 % of
 * the calls of DEMO_UNPRICED_SKILL use a model without a price (its cost is
 * then unknown). Deterministic for a seed
 * and the same sequence of chunks; keep one generator for a whole run.
 */
export function createDemoCostGenerator(seed: number, deps: DemoCostDeps): (chunk: readonly InvocationInput[]) => AttributedUsage[] {
  const rand = mulberry32((seed ^ 0x5eed_c057) >>> 0);
  const models = DEMO_MODELS.filter((m) => priceFor(deps.prices, m) !== null);
  let invocationNo = 0;
  return (chunk) => {
    const out: AttributedUsage[] = [];
    for (const inv of chunk) {
      if (!inv.skill_name.startsWith('skill:')) continue;
      invocationNo++;
      const invocationId = `demo-${seed}-${invocationNo}`;
      const userHash = deps.hashUser(inv.user_id);
      const start = inv.invoked_at as number;
      const own = 2 + Math.floor(rand() * 4);
      const later = 1 + Math.floor(rand() * 4);
      const spacing = Math.max(1_000, Math.round(inv.duration_ms / own));
      for (let call = 0; call < own + later; call++) {
        const unpriced = rand() < UNPRICED_SHARE && inv.skill_name === DEMO_UNPRICED_SKILL;
        const model = unpriced || models.length === 0 ? DEMO_UNPRICED_MODEL : models[Math.floor(rand() ** 2 * models.length)]!;
        const tokens = {
          input: 200 + Math.floor(rand() * 3_000),
          output: 100 + Math.floor(rand() * 2_000),
          cacheWrite: Math.floor(rand() * 4_000),
          cacheRead: 5_000 + Math.floor(rand() * 40_000),
        };
        const row: AttributedUsage = {
          key: `${invocationId}-${call}`,
          skill: inv.skill_name,
          attribution: 'stamped',
          userHash,
          sessionKey: inv.session_id,
          model,
          at: start + call * spacing,
          inputTokens: tokens.input,
          outputTokens: tokens.output,
          cacheWriteTokens: tokens.cacheWrite,
          cacheWrite1hTokens: 0,
          cacheReadTokens: tokens.cacheRead,
          costUsd: callCost(deps.prices, model, tokens),
          invocationId,
        };
        out.push({ ...row, key: `${row.key}:stamped` });
        if (call < own) out.push({ ...row, key: `${row.key}:bounded`, attribution: 'bounded' });
      }
    }
    return out;
  };
}
