/**
 * False discoveries of anomaly detection, measured: 100 generated datasets of
 * 60 stable skills (no change between baseline and recent window), each
 * run through detectAnomalies at default settings; how many runs report any
 * anomaly. Then the same datasets with planted anomalies as strong as the
 * test cases', and how often each is found.
 *
 *   npm run bench:anomalies              # 100 datasets, seeds 1..100
 *   npm run bench:anomalies -- 500       # more datasets
 *   npm run bench:anomalies -- 100 0.01  # another FDR level
 *
 * Each skill has its own traffic (0.2 to 20 invocations an hour, Zipf-like),
 * success rate (0.70 to 0.99) and log-normal durations (median 50 ms to 20 s,
 * sigma 0.3 to 1.0), drawn per dataset; every hour's count is Poisson. The
 * windows are those of the tool (recent 24 h, baseline 7 days) and of the
 * scheduled detection (recent 3 h, baseline 7 days).
 */
import { DEFAULT_FDR_Q, detectAnomalies } from '../src/analytics/anomalies.js';
import { mulberry32 } from '../src/analytics/prng.js';
import type { HourlyRollup } from '../src/analytics/types.js';

const DATASETS = Number(process.argv[2] ?? 100);
/** The FDR level to run at (default: the detector's default). */
const Q = Number(process.argv[3] ?? DEFAULT_FDR_Q);
const SKILLS = 60;
const BASE_HOURS = 7 * 24;
const NOW = Date.UTC(2026, 0, 15, 12);
const NOW_HOUR = NOW / 3_600_000;

interface SkillModel {
  name: string;
  rate: number;
  p: number;
  mu: number;
  sigma: number;
}

function poisson(rand: () => number, lambda: number): number {
  // Knuth for small lambda, normal approximation beyond 30.
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(rand)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function models(rand: () => number): SkillModel[] {
  return Array.from({ length: SKILLS }, (_, i) => ({
    name: `skill-${String(i).padStart(2, '0')}`,
    rate: Math.max(0.2, 20 / (1 + i) ** 0.9),
    p: 0.7 + 0.29 * rand(),
    mu: Math.log(50 + rand() * 19_950),
    sigma: 0.3 + 0.7 * rand(),
  }));
}

/** Hourly rows of `m` over hours [from, to]; `p` and `durationFactor` may be changed for a planted anomaly. */
function hours(rand: () => number, m: SkillModel, from: number, to: number, p = m.p, durationFactor = 1): HourlyRollup[] {
  const rows: HourlyRollup[] = [];
  for (let h = from; h <= to; h++) {
    const n = poisson(rand, m.rate);
    if (n === 0) continue;
    let successes = 0;
    let sum = 0;
    let sq = 0;
    for (let k = 0; k < n; k++) {
      if (rand() < p) successes++;
      const d = Math.round(Math.exp(m.mu + m.sigma * gauss(rand)) * durationFactor);
      sum += d;
      sq += d * d;
    }
    rows.push({ skill: m.name, hour: h, invocations: n, successes, timed: n, durationSum: sum, durationSqSum: sq, lastAt: h * 3_600_000 });
  }
  return rows;
}

interface Planted {
  label: string;
  skill: number;
  p?: number;
  durationFactor?: number;
}

/** As strong as the test cases: success 0.95 → 0.5 (tool test), 0.9 → 0.6 (analytics test), mean duration × 1.125 at sd/mean 0.1 (z 5). */
const PLANTED: Planted[] = [
  { label: 'success rate 0.95 -> 0.50 (skill at ~2/h)', skill: 9, p: 0.5 },
  { label: 'success rate 0.90 -> 0.60 (skill at ~1/h)', skill: 20, p: 0.6 },
  { label: 'mean duration x 2 (skill at ~1/h)', skill: 30, durationFactor: 2 },
];

function run(seed: number, recentHours: number, plant: boolean) {
  const rand = mulberry32(seed);
  const ms = models(rand);
  if (plant) {
    ms[9]!.p = 0.95;
    ms[20]!.p = 0.9;
    ms[30]!.sigma = 0.3;
  }
  const recentFrom = NOW_HOUR - recentHours + 1;
  const baseline: HourlyRollup[] = [];
  const recent: HourlyRollup[] = [];
  for (const [i, m] of ms.entries()) {
    baseline.push(...hours(rand, m, recentFrom - BASE_HOURS, recentFrom - 1));
    const pl = plant ? PLANTED.find((x) => x.skill === i) : undefined;
    recent.push(...hours(rand, m, recentFrom, NOW_HOUR, pl?.p ?? m.p, pl?.durationFactor ?? 1));
  }
  return detectAnomalies({ recent, baseline, threshold: 2, now: NOW, fdrQ: Q });
}

for (const recentHours of [24, 3]) {
  let anyNull = 0;
  let falseTotal = 0;
  let unadjusted = 0;
  let tests = 0;
  const found = PLANTED.map(() => 0);
  let falseWithPlanted = 0;
  for (let seed = 1; seed <= DATASETS; seed++) {
    const r = run(seed, recentHours, false);
    tests += r.tests;
    if (r.anomalies.length > 0) anyNull++;
    falseTotal += r.anomalies.length;
    // What the rule without multiple-testing control would have reported: |z| >= 2 on any test.
    const loose = detectAnomalies({ ...inputsOf(seed, recentHours), threshold: 2, now: NOW, fdrQ: 0.999999 });
    if (loose.anomalies.length > 0) unadjusted++;
    const p = run(seed, recentHours, true);
    PLANTED.forEach((pl, i) => {
      if (p.anomalies.some((a) => a.skill_name === `skill-${String(pl.skill).padStart(2, '0')}`)) found[i]!++;
    });
    falseWithPlanted += p.anomalies.filter((a) => !PLANTED.some((pl) => a.skill_name === `skill-${String(pl.skill).padStart(2, '0')}`)).length;
  }
  console.log(`\n### Recent ${recentHours} h vs 7-day baseline, threshold 2, FDR q = ${Q}, ${DATASETS} datasets x ${SKILLS} skills`);
  console.log(`| measure | value |\n|---|---|`);
  console.log(`| tests per run (2 per skill with enough data), mean | ${(tests / DATASETS).toFixed(1)} |`);
  console.log(`| runs reporting any anomaly, no change planted | **${anyNull} / ${DATASETS}** (anomalies reported in all: ${falseTotal}) |`);
  console.log(`| same rule with q close to 1 (no multiple-testing control) | ${unadjusted} / ${DATASETS} |`);
  PLANTED.forEach((pl, i) => console.log(`| planted: ${pl.label}, found | ${found[i]} / ${DATASETS} |`));
  console.log(`| other skills reported in the planted runs | ${falseWithPlanted} |`);
}

/** The null inputs of one seed again (same draws as run(seed, h, false)). */
function inputsOf(seed: number, recentHours: number) {
  const rand = mulberry32(seed);
  const ms = models(rand);
  const recentFrom = NOW_HOUR - recentHours + 1;
  const baseline: HourlyRollup[] = [];
  const recent: HourlyRollup[] = [];
  for (const m of ms) {
    baseline.push(...hours(rand, m, recentFrom - BASE_HOURS, recentFrom - 1));
    recent.push(...hours(rand, m, recentFrom, NOW_HOUR));
  }
  return { recent, baseline };
}
