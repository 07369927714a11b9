/**
 * Small projects on disk for the session and quality tests: a well set-up
 * TypeScript project (git repository with one Conventional Commit) and a bare
 * directory. Used only by tests.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Commit timestamp of the rich fixture: 2026-01-10T12:00:00Z. */
const FIXTURE_COMMIT_DATE = '2026-01-10T12:00:00Z';

export function tempDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `sb-${prefix}-`)));
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

/** Runs git with a fixed identity and dates given only to this child process. */
export function git(root: string, args: string[], date = FIXTURE_COMMIT_DATE): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Fixture Author',
      GIT_AUTHOR_EMAIL: 'fixture@example.invalid',
      GIT_COMMITTER_NAME: 'Fixture Author',
      GIT_COMMITTER_EMAIL: 'fixture@example.invalid',
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
}

export function initRepo(root: string, message: string, date = FIXTURE_COMMIT_DATE): void {
  git(root, ['init', '-q', '-b', 'main']);
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', message], date);
}

const README = `# rich-app

A small command line tool used as a test fixture.
It formats durations for humans.
It has tests, strict types and a linter.

## Installation

    npm install

## Usage

    npx rich-app 1500

## Development

Run npm test and npm run typecheck.

## License

MIT
`;

const RICH_FILES: Record<string, string> = {
  'package.json': JSON.stringify(
    {
      name: 'rich-app',
      version: '1.0.0',
      license: 'MIT',
      type: 'module',
      scripts: { test: 'node --test', typecheck: 'tsc --noEmit', lint: 'eslint .' },
      dependencies: { ms: '^2.1.3' },
      devDependencies: { typescript: '^5.9.3' },
    },
    null,
    2,
  ),
  'package-lock.json': JSON.stringify(
    {
      name: 'rich-app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'rich-app', version: '1.0.0', dependencies: { ms: '^2.1.3' }, devDependencies: { typescript: '^5.9.3' } },
        'node_modules/ms': { version: '2.1.3' },
        'node_modules/typescript': { version: '5.9.3', dev: true },
      },
    },
    null,
    2,
  ),
  'tsconfig.json': `{
  // comments and trailing commas are allowed in tsconfig
  "compilerOptions": {
    "target": "ES2022",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "noImplicitOverride": true,
    "noFallthroughCasesInSwitch": true,
  },
}
`,
  'eslint.config.js': 'export default [];\n',
  '.prettierrc': '{ "singleQuote": true }\n',
  '.gitignore': 'node_modules/\n.env\ncoverage/\n',
  'README.md': README,
  'docs/architecture.md': '# Architecture\n\nOne module per concern.\n',
  LICENSE: 'MIT License\n',
  'SECURITY.md': '# Security\n\nReport issues privately.\n',
  'src/format.ts': 'export function format(ms: number): string {\n  return `${ms} ms`;\n}\n',
  'src/parse.ts': 'export function parse(s: string): number {\n  return Number(s);\n}\n',
  'src/format.test.ts': "import { format } from './format.js';\nformat(1);\n",
  'src/parse.test.ts': "import { parse } from './parse.js';\nparse('1');\n",
  'coverage/coverage-summary.json': JSON.stringify({ total: { lines: { total: 10, covered: 9, pct: 90 } } }),
};

/** A TypeScript project that should score high on every dimension. */
export function makeRichProject(): string {
  const root = tempDir('rich');
  writeFiles(root, RICH_FILES);
  initRepo(root, 'feat: initial commit');
  return root;
}

/** A directory with one JavaScript file: no manifest, no tests, no git. */
export function makeBareProject(): string {
  const root = tempDir('bare');
  writeFiles(root, { 'index.js': "console.log('hi');\n" });
  return root;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
