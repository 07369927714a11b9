/** Classification of project files by path: source, test, documentation. */
import path from 'node:path';

const SOURCE_EXT = new Set([
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
  '.py',
  '.go',
  '.rs',
  '.java',
  '.kt',
  '.rb',
  '.php',
  '.cs',
  '.c',
  '.cc',
  '.cpp',
  '.h',
  '.hpp',
  '.swift',
  '.scala',
  '.vue',
  '.svelte',
]);
const DOC_EXT = new Set(['.md', '.mdx', '.rst', '.adoc']);
const TEST_NAME = /(\.|_)(test|spec)\.[cm]?[jt]sx?$|^test_.*\.py$|_test\.(py|go)$|Test\.(java|kt)$|_spec\.rb$/;
const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'spec', 'e2e']);
const FIXTURE_DIRS = new Set(['fixtures', '__fixtures__', '__snapshots__', 'testdata']);

function isSourceFile(rel: string): boolean {
  if (rel.endsWith('.d.ts') || rel.endsWith('.d.mts') || rel.endsWith('.d.cts')) return false;
  if (/\.min\.js$/.test(rel)) return false;
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  // Tool configuration (eslint.config.js, vite.config.ts, .eslintrc.cjs) is not project source.
  if (base.startsWith('.') || /\.config\.[cm]?[jt]s$/.test(base)) return false;
  return SOURCE_EXT.has(path.posix.extname(rel));
}

/** A source file named like a test, or placed in a test directory (fixtures excluded). */
function isTestFile(rel: string): boolean {
  if (!isSourceFile(rel)) return false;
  const segs = rel.split('/');
  const base = segs[segs.length - 1]!;
  const dirs = segs.slice(0, -1);
  if (dirs.some((d) => FIXTURE_DIRS.has(d))) return false;
  if (base === 'conftest.py' || base === '__init__.py') return false;
  return TEST_NAME.test(base) || dirs.some((d) => TEST_DIRS.has(d));
}

export function isDocFile(rel: string): boolean {
  return DOC_EXT.has(path.posix.extname(rel).toLowerCase());
}

export interface FileCounts {
  source: number;
  test: number;
  /** Source files that are not tests. */
  nonTestSource: number;
  docs: number;
  byExtension: Record<string, number>;
}

export function countFiles(files: readonly string[]): FileCounts {
  let source = 0;
  let test = 0;
  let docs = 0;
  const byExtension: Record<string, number> = {};
  for (const f of files) {
    if (isDocFile(f)) docs++;
    if (!isSourceFile(f)) continue;
    source++;
    const ext = path.posix.extname(f);
    byExtension[ext] = (byExtension[ext] ?? 0) + 1;
    if (isTestFile(f)) test++;
  }
  return { source, test, nonTestSource: source - test, docs, byExtension };
}
