/** Detects what kind of project a directory holds, its name and its git position. */
import path from 'node:path';
import type { GitFacts, ProjectContext } from './project-context.js';
import { countFiles } from './file-kinds.js';

export type ProjectType = 'node' | 'typescript' | 'python';

/** Share of the TypeScript, JavaScript and Python files a language needs to count without its manifest. */
const MIN_LANGUAGE_SHARE = 0.2;

export interface ProjectInfo {
  root: string;
  name: string;
  /** Where the name came from: `package.json`, `pyproject.toml` or `directory`. */
  nameSource: 'package.json' | 'pyproject.toml' | 'directory';
  types: ProjectType[];
  /** The measured facts behind `types`, e.g. `package.json present`, `14 .ts files`. */
  indicators: string[];
  git: GitFacts;
  files: { listed: number; source: number; test: number; docs: number; listing: 'git' | 'walk'; truncated: boolean };
}

export function detectProject(ctx: ProjectContext): ProjectInfo {
  const counts = countFiles(ctx.listing.files);
  const ext = (e: string) => counts.byExtension[e] ?? 0;
  const tsFiles = ext('.ts') + ext('.tsx') + ext('.mts') + ext('.cts');
  const jsFiles = ext('.js') + ext('.jsx') + ext('.mjs') + ext('.cjs');
  const pyFiles = ext('.py');
  const types: ProjectType[] = [];
  const indicators: string[] = [];

  // Without its manifest, a language counts only when its files are a real share of the code:
  // a few helper scripts in another language do not make the project one of that language.
  const codeFiles = tsFiles + jsFiles + pyFiles;
  const significant = (n: number) => n > 0 && n >= MIN_LANGUAGE_SHARE * codeFiles;
  const fileIndicator = (n: number, label: string) => {
    const files = `${n} ${label} file${n === 1 ? '' : 's'}`;
    const pct = (100 * n) / codeFiles;
    return significant(n) ? files : `${files} (${pct < 1 ? 'under 1' : Math.round(pct)}% of the code files: too few to count)`;
  };

  const pkg = ctx.packageJson();
  if (pkg !== null || significant(jsFiles)) {
    types.push('node');
    if (pkg !== null) indicators.push('package.json present');
  }
  if (jsFiles > 0) indicators.push(fileIndicator(jsFiles, 'JavaScript'));
  const hasTsconfig = ctx.exists('tsconfig.json');
  const deps = pkg ? { ...(asRecord(pkg.dependencies) ?? {}), ...(asRecord(pkg.devDependencies) ?? {}) } : {};
  if (hasTsconfig || significant(tsFiles) || 'typescript' in deps) {
    types.push('typescript');
    if (!types.includes('node')) types.unshift('node');
    if (hasTsconfig) indicators.push('tsconfig.json present');
    if ('typescript' in deps) indicators.push('typescript in package.json dependencies');
  }
  if (tsFiles > 0) indicators.push(fileIndicator(tsFiles, 'TypeScript'));
  const pyManifests = ['pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'Pipfile'].filter((f) => ctx.exists(f));
  if (pyManifests.length > 0 || significant(pyFiles)) {
    types.push('python');
    if (pyManifests.length > 0) indicators.push(`${pyManifests.join(', ')} present`);
  }
  if (pyFiles > 0) indicators.push(fileIndicator(pyFiles, 'Python'));

  let name = path.basename(ctx.root);
  let nameSource: ProjectInfo['nameSource'] = 'directory';
  const py = ctx.pyproject();
  const pyName = py?.values.get('project.name') ?? py?.values.get('tool.poetry.name');
  if (pkg && typeof pkg.name === 'string' && pkg.name.trim() !== '') {
    name = pkg.name.trim();
    nameSource = 'package.json';
  } else if (typeof pyName === 'string' && pyName.trim() !== '') {
    name = pyName.trim();
    nameSource = 'pyproject.toml';
  }

  return {
    root: ctx.root,
    name,
    nameSource,
    types,
    indicators,
    git: ctx.git,
    files: {
      listed: ctx.listing.files.length,
      source: counts.source,
      test: counts.test,
      docs: counts.docs,
      listing: ctx.listing.source,
      truncated: ctx.listing.truncated,
    },
  };
}

export function asRecord(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
