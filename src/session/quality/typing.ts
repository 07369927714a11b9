/**
 * Type-checking dimension (weight 10): how strictly the project's types are checked.
 *
 * TypeScript/JavaScript projects (checks sum to 100):
 * - tsconfig.json present (20);
 * - `strict` on (40) — without it, strictNullChecks and noImplicitAny earn 15 each;
 * - extra safety flags (20): noUncheckedIndexedAccess 8, exactOptionalPropertyTypes 3,
 *   noImplicitOverride 3, noFallthroughCasesInSwitch 3, noImplicitReturns 3;
 * - a package.json script that runs `tsc` / `vue-tsc` (20).
 * Without a readable tsconfig.json the first three are one 0-of-80 check.
 * Python projects (checks sum to 100):
 * - mypy or pyright configuration (40);
 * - strict mode (40): mypy `strict = true` or pyright `typeCheckingMode = "strict"`;
 *   mypy `disallow_untyped_defs` or pyright "standard" earn 20;
 * - a type-check command (mypy/pyright in Makefile, tox.ini, noxfile.py,
 *   .pre-commit-config.yaml or CI workflows) (20).
 * Both sets apply to a mixed project. With neither language the dimension is not measured, nor
 * when the project has no source file (e.g. only a package.json): there is nothing to type-check.
 * `extends` in tsconfig is followed for relative paths and packages in node_modules (≤ 5 levels).
 */
import path from 'node:path';
import { countFiles } from '../file-kinds.js';
import type { ProjectContext } from '../project-context.js';
import { asRecord, type ProjectInfo } from '../project-detect.js';
import { buildDimension, noSourceDimension } from './dimension.js';
import type { Check, DimensionResult } from './types.js';

export const TYPING_WEIGHT = 10;

const EXTRA_FLAGS: readonly [string, number][] = [
  ['noUncheckedIndexedAccess', 8],
  ['exactOptionalPropertyTypes', 3],
  ['noImplicitOverride', 3],
  ['noFallthroughCasesInSwitch', 3],
  ['noImplicitReturns', 3],
];

export function assessTyping(ctx: ProjectContext, project: ProjectInfo): DimensionResult {
  const checks: Check[] = [];
  const info: string[] = [];
  const isJs = project.types.includes('node') || project.types.includes('typescript');
  const isPy = project.types.includes('python');
  if ((isJs || isPy) && countFiles(ctx.listing.files).source === 0) {
    return noSourceDimension('typing', 'Type checking', TYPING_WEIGHT, 'type-check', ctx.listing.files.length);
  }
  if (isJs) checks.push(...typescriptChecks(ctx, info));
  if (isPy) checks.push(...pythonChecks(ctx));
  if (!isJs && !isPy) {
    checks.push({
      id: 'typing.language',
      label: 'Type checking',
      maxPoints: 100,
      points: null,
      evidence: 'not measured: no TypeScript/JavaScript or Python project detected',
    });
  }
  return buildDimension('typing', 'Type checking', TYPING_WEIGHT, checks, info);
}

/** compilerOptions after following `extends` (child options win). */
function effectiveCompilerOptions(ctx: ProjectContext, rel: string, chain: string[] = []): Record<string, unknown> | null {
  if (chain.length > 5 || chain.includes(rel)) return {};
  const json = asRecord(ctx.readJsonc(rel));
  if (!json) return null;
  let base: Record<string, unknown> = {};
  const ext = json.extends;
  for (const e of Array.isArray(ext) ? ext : ext === undefined ? [] : [ext]) {
    if (typeof e !== 'string') continue;
    const candidates = e.startsWith('.')
      ? [path.posix.join(path.posix.dirname(rel), e), path.posix.join(path.posix.dirname(rel), `${e}.json`)]
      : [`node_modules/${e}`, `node_modules/${e}.json`, `node_modules/${e}/tsconfig.json`];
    const found = candidates.find((c) => ctx.readText(c) !== null && !ctx.isDir(c));
    if (found) base = { ...base, ...(effectiveCompilerOptions(ctx, found, [...chain, rel]) ?? {}) };
  }
  return { ...base, ...(asRecord(json.compilerOptions) ?? {}) };
}

function typescriptChecks(ctx: ProjectContext, info: string[]): Check[] {
  const checks: Check[] = [];
  const opts = ctx.exists('tsconfig.json') ? effectiveCompilerOptions(ctx, 'tsconfig.json') : null;
  if (!opts) {
    // Without a readable tsconfig.json, presence, strictness and flags (20 + 40 + 20) are one missing check.
    checks.push({
      id: 'typing.tsconfig',
      label: 'tsconfig.json',
      maxPoints: 80,
      points: 0,
      evidence: ctx.exists('tsconfig.json') ? 'present but not parseable' : 'missing',
      advice: 'Add a tsconfig.json with "strict": true and noUncheckedIndexedAccess, and type-check with tsc (checkJs for JavaScript)',
    });
  } else {
    checks.push({ id: 'typing.tsconfig', label: 'tsconfig.json', maxPoints: 20, points: 20, evidence: 'present' });
    checks.push(...tsconfigStrictness(opts));
    if (typeof opts.target === 'string') info.push(`TypeScript target ${opts.target}`);
  }
  const scripts = asRecord(ctx.packageJson()?.scripts) ?? {};
  const tscScript = Object.entries(scripts).find(([, v]) => typeof v === 'string' && /\b(vue-)?tsc\b/.test(v));
  checks.push({
    id: 'typing.command',
    label: 'Type-check command',
    maxPoints: 20,
    points: tscScript ? 20 : 0,
    evidence: tscScript ? `package.json scripts.${tscScript[0]} runs tsc` : 'no package.json script runs tsc',
    advice: 'Add a "typecheck": "tsc --noEmit" script and run it in CI',
  });
  return checks;
}

function tsconfigStrictness(o: Record<string, unknown>): Check[] {
  const checks: Check[] = [];
  const on = (k: string) => o[k] === true;
  if (on('strict')) {
    checks.push({ id: 'typing.strict', label: 'Strict mode', maxPoints: 40, points: 40, evidence: '"strict": true' });
  } else {
    const partial = (on('strictNullChecks') ? 15 : 0) + (on('noImplicitAny') ? 15 : 0);
    const set = ['strictNullChecks', 'noImplicitAny'].filter(on);
    checks.push({
      id: 'typing.strict',
      label: 'Strict mode',
      maxPoints: 40,
      points: partial,
      evidence: `"strict" is not enabled${set.length ? `; enabled: ${set.join(', ')}` : ''}`,
      advice: 'Enable "strict": true in tsconfig.json',
    });
  }
  const enabled = EXTRA_FLAGS.filter(([k]) => on(k));
  const missing = EXTRA_FLAGS.filter(([k]) => !on(k)).map(([k]) => k);
  checks.push({
    id: 'typing.flags',
    label: 'Extra safety flags',
    maxPoints: 20,
    points: enabled.reduce((s, [, p]) => s + p, 0),
    evidence: `${enabled.length}/${EXTRA_FLAGS.length} enabled${enabled.length ? ` (${enabled.map(([k]) => k).join(', ')})` : ''}`,
    advice: `Enable ${missing.join(', ')} in tsconfig.json`,
  });
  return checks;
}

function pythonChecks(ctx: ProjectContext): Check[] {
  const py = ctx.pyproject();
  const setupCfg = ctx.readIni('setup.cfg');
  const mypyIni = ctx.readIni('mypy.ini') ?? ctx.readIni('.mypy.ini');
  const mypySection = mypyIni?.get('mypy') ?? setupCfg?.get('mypy') ?? null;
  const pyrightJson = asRecord(ctx.readJsonc('pyrightconfig.json'));
  const sources: string[] = [];
  if (mypyIni) sources.push(ctx.exists('mypy.ini') ? 'mypy.ini' : '.mypy.ini');
  if (setupCfg?.has('mypy')) sources.push('setup.cfg [mypy]');
  if (py?.tables.has('tool.mypy')) sources.push('pyproject.toml [tool.mypy]');
  if (pyrightJson) sources.push('pyrightconfig.json');
  if (py?.tables.has('tool.pyright')) sources.push('pyproject.toml [tool.pyright]');
  const checks: Check[] = [
    {
      id: 'typing.py-config',
      label: 'Python type checker config',
      maxPoints: 40,
      points: sources.length ? 40 : 0,
      evidence: sources.length ? sources.join(', ') : 'no mypy or pyright configuration',
      advice: 'Configure mypy or pyright (pyproject.toml [tool.mypy] / [tool.pyright])',
    },
  ];
  const truthy = (v: unknown) => v === true || (typeof v === 'string' && /^(true|1|yes|on)$/i.test(v));
  const mypyStrict = truthy(py?.values.get('tool.mypy.strict')) || truthy(mypySection?.get('strict'));
  const mypyUntyped = truthy(py?.values.get('tool.mypy.disallow_untyped_defs')) || truthy(mypySection?.get('disallow_untyped_defs'));
  const pyrightMode = py?.values.get('tool.pyright.typeCheckingMode') ?? pyrightJson?.typeCheckingMode;
  let points = 0;
  let evidence = 'no strict type-checking setting';
  if (mypyStrict || pyrightMode === 'strict') {
    points = 40;
    evidence = mypyStrict ? 'mypy strict = true' : 'pyright typeCheckingMode = "strict"';
  } else if (mypyUntyped || pyrightMode === 'standard') {
    points = 20;
    evidence = mypyUntyped ? 'mypy disallow_untyped_defs = true (not full strict)' : 'pyright typeCheckingMode = "standard"';
  }
  checks.push({
    id: 'typing.py-strict',
    label: 'Python strictness',
    maxPoints: 40,
    points,
    evidence,
    advice: 'Turn on mypy strict = true (or pyright typeCheckingMode = "strict")',
  });
  const runners = ['Makefile', 'tox.ini', 'noxfile.py', '.pre-commit-config.yaml', ...workflowFiles(ctx)];
  const runner = runners.find((f) => /\b(mypy|pyright)\b/.test(ctx.readText(f) ?? ''));
  checks.push({
    id: 'typing.py-command',
    label: 'Python type-check command',
    maxPoints: 20,
    points: runner ? 20 : 0,
    evidence: runner ? `mypy/pyright run from ${runner}` : 'mypy/pyright not run from Makefile, tox, nox, pre-commit or CI',
    advice: 'Run mypy/pyright from a Makefile target, pre-commit hook or CI workflow',
  });
  return checks;
}

export function workflowFiles(ctx: ProjectContext): string[] {
  return ctx.listing.files.filter((f) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(f) || f === '.gitlab-ci.yml');
}
