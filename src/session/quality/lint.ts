/**
 * Lint dimension (weight 10). Checks (sum 100):
 * - linter configuration (50): ESLint, Biome, oxlint, Ruff, Flake8 or Pylint config;
 * - lint command (30): a package.json script running a linter (or named `lint`),
 *   a Makefile `lint:` target, a pre-commit config, or a CI workflow that lints;
 * - formatter (20): Prettier, Biome, Black or Ruff format config; `.editorconfig` alone earns 10.
 * With no source file there is nothing to lint: the dimension is not measured.
 */
import { countFiles } from '../file-kinds.js';
import type { ProjectContext } from '../project-context.js';
import { asRecord } from '../project-detect.js';
import { buildDimension, noSourceDimension } from './dimension.js';
import { workflowFiles } from './typing.js';
import type { Check, DimensionResult } from './types.js';

export const LINT_WEIGHT = 10;

const ESLINT_FILES = [
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'eslint.config.mts',
  'eslint.config.cts',
  '.eslintrc',
  '.eslintrc.js',
  '.eslintrc.cjs',
  '.eslintrc.json',
  '.eslintrc.yml',
  '.eslintrc.yaml',
];
const PRETTIER_FILES = [
  '.prettierrc',
  '.prettierrc.json',
  '.prettierrc.yml',
  '.prettierrc.yaml',
  '.prettierrc.js',
  '.prettierrc.cjs',
  '.prettierrc.mjs',
  '.prettierrc.toml',
  'prettier.config.js',
  'prettier.config.cjs',
  'prettier.config.mjs',
];
const LINTER_CMD = /\b(eslint|biome|oxlint|ruff|flake8|pylint|standard|xo)\b/;

export function assessLint(ctx: ProjectContext): DimensionResult {
  if (countFiles(ctx.listing.files).source === 0) return noSourceDimension('lint', 'Lint & format', LINT_WEIGHT, 'lint', ctx.listing.files.length);
  const pkg = ctx.packageJson();
  const py = ctx.pyproject();
  const setupCfg = ctx.readIni('setup.cfg');
  const toxIni = ctx.readIni('tox.ini');

  const linters: string[] = [];
  const eslint = ESLINT_FILES.find((f) => ctx.exists(f));
  if (eslint) linters.push(`ESLint (${eslint})`);
  else if (pkg && 'eslintConfig' in pkg) linters.push('ESLint (package.json eslintConfig)');
  const biome = ['biome.json', 'biome.jsonc'].find((f) => ctx.exists(f));
  if (biome) linters.push(`Biome (${biome})`);
  if (ctx.exists('.oxlintrc.json')) linters.push('oxlint (.oxlintrc.json)');
  const ruffFile = ['ruff.toml', '.ruff.toml'].find((f) => ctx.exists(f));
  if (ruffFile) linters.push(`Ruff (${ruffFile})`);
  else if (py?.tables.has('tool.ruff') || [...(py?.tables ?? [])].some((t) => t.startsWith('tool.ruff.'))) {
    linters.push('Ruff (pyproject.toml [tool.ruff])');
  }
  if (ctx.exists('.flake8') || setupCfg?.has('flake8') || toxIni?.has('flake8')) linters.push('Flake8');
  if (ctx.exists('.pylintrc') || ctx.exists('pylintrc') || py?.tables.has('tool.pylint')) linters.push('Pylint');

  const checks: Check[] = [
    {
      id: 'lint.config',
      label: 'Linter configuration',
      maxPoints: 50,
      points: linters.length ? 50 : 0,
      evidence: linters.length ? linters.join(', ') : 'no ESLint, Biome, oxlint, Ruff, Flake8 or Pylint configuration found',
      advice: 'Add a linter configuration (ESLint or Biome for TypeScript, Ruff for Python)',
    },
  ];

  const scripts = asRecord(pkg?.scripts) ?? {};
  let command: string | null = null;
  const lintScript = Object.entries(scripts).find(([k, v]) => typeof v === 'string' && (k === 'lint' || LINTER_CMD.test(v)));
  if (lintScript) command = `package.json scripts.${lintScript[0]}`;
  else if (/^lint\s*:/m.test(ctx.readText('Makefile') ?? '')) command = 'Makefile lint target';
  else if (ctx.exists('.pre-commit-config.yaml')) command = '.pre-commit-config.yaml';
  else {
    const wf = workflowFiles(ctx).find((f) => /\blint\b|\b(eslint|ruff|flake8|biome)\b/i.test(ctx.readText(f) ?? ''));
    if (wf) command = `CI workflow ${wf}`;
  }
  checks.push({
    id: 'lint.command',
    label: 'Lint command',
    maxPoints: 30,
    points: command ? 30 : 0,
    evidence: command ?? 'no lint script, Makefile target, pre-commit config or CI lint step',
    advice: 'Add a "lint" script (or pre-commit hook) so the linter actually runs',
  });

  const formatters: string[] = [];
  const prettier = PRETTIER_FILES.find((f) => ctx.exists(f));
  if (prettier) formatters.push(`Prettier (${prettier})`);
  else if (pkg && 'prettier' in pkg) formatters.push('Prettier (package.json)');
  if (biome) formatters.push('Biome');
  if (py?.tables.has('tool.black')) formatters.push('Black');
  if (py?.tables.has('tool.ruff.format') || ruffFile) formatters.push('Ruff format');
  const editorconfig = ctx.exists('.editorconfig');
  checks.push({
    id: 'lint.formatter',
    label: 'Formatter',
    maxPoints: 20,
    points: formatters.length ? 20 : editorconfig ? 10 : 0,
    evidence: formatters.length ? formatters.join(', ') : editorconfig ? 'only .editorconfig (no formatter configuration)' : 'no formatter configuration',
    advice: 'Configure a formatter (Prettier or Biome; Black or Ruff format for Python)',
  });
  return buildDimension('lint', 'Lint & format', LINT_WEIGHT, checks);
}
