/**
 * Everything the quality checks need to know about a project directory,
 * gathered once per assessment: the file list (git's view when the directory
 * is in a repository, otherwise a bounded walk), git facts, and cached readers
 * for the config files. Paths are relative to the root, with `/` separators.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isPseudoFsPath, readBoundedSync } from './bounded-read.js';
import { unlimitedBudget, type Budget } from './budget.js';
import { parseIni, parseJsonc, parseTomlLite, type TomlLite } from './config-parsers.js';
import { firstLine, type CommandRunner } from './exec.js';

const DEFAULT_MAX_FILES = 50_000;
export const GIT_TIMEOUT_MS = 5_000;

/** Directories never counted as project sources (dependencies, build output, caches). */
export const SKIP_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  'dist',
  'build',
  'out',
  'coverage',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.next',
  '.nuxt',
  '.turbo',
  '.cache',
  'target',
  'vendor',
  'site-packages',
  '.idea',
  '.vscode',
  '.session-buddy',
]);

export interface GitFacts {
  /** The git executable could be run. */
  available: boolean;
  isRepo: boolean;
  toplevel: string | null;
  /** Current branch; null when HEAD is detached or git is unavailable. */
  branch: string | null;
  /** Full commit id of HEAD; null when the repository has no commits yet. */
  head: string | null;
  /** Why git facts are missing, when they are. */
  error: string | null;
}

interface FileListing {
  /** `git` = `git ls-files --cached --others --exclude-standard`; `walk` = directory walk. */
  source: 'git' | 'walk';
  /** Project files (SKIP_DIRS removed). */
  files: string[];
  /** Files in the git index (SKIP_DIRS kept); null outside a repository. */
  tracked: string[] | null;
  truncated: boolean;
  cap: number;
}

export interface ProjectContext {
  root: string;
  now: number;
  run: CommandRunner;
  git: GitFacts;
  listing: FileListing;
  /** The assessment's deadline (unlimited unless one was given). */
  budget: Budget;
  exists(rel: string): boolean;
  isDir(rel: string): boolean;
  readText(rel: string, maxBytes?: number): string | null;
  readJsonc(rel: string): unknown;
  readToml(rel: string): TomlLite | null;
  readIni(rel: string): Map<string, Map<string, string>> | null;
  packageJson(): Record<string, unknown> | null;
  pyproject(): TomlLite | null;
  /** Modification time in ms, or null. */
  mtime(rel: string): number | null;
}

export interface ContextOptions {
  run: CommandRunner;
  now: number;
  maxFiles?: number;
  /** The walk stops (listing marked truncated) and git facts count as unavailable once this runs out. */
  budget?: Budget;
}

export async function loadProjectContext(root: string, opts: ContextOptions): Promise<ProjectContext> {
  const maxFiles = opts.maxFiles ?? DEFAULT_MAX_FILES;
  const budget = opts.budget ?? unlimitedBudget;
  // Reads stay on the project's own file system (procfs, sysfs, devtmpfs and other mounts are not followed).
  const device = fs.statSync(root).dev;
  const git = await budget.race(gitFacts(root, opts.run), () => ({
    available: false,
    isRepo: false,
    toplevel: null,
    branch: null,
    head: null,
    error: `git did not answer within the assessment deadline (${budget.seconds} s)`,
  }));
  const listing = (git.isRepo ? await budget.race(gitListing(root, opts.run, maxFiles), () => null) : null) ?? walkListing(root, maxFiles, device, budget);
  const textCache = new Map<string, string | null>();

  const abs = (rel: string) => path.join(root, rel);
  const readText = (rel: string, maxBytes = 1024 * 1024): string | null => {
    const key = `${rel}\0${maxBytes}`;
    if (textCache.has(key)) return textCache.get(key)!;
    // At most maxBytes, whatever st.size says (procfs files say 0 and never end).
    const read = readBoundedSync(abs(rel), maxBytes, device);
    const text = read === null ? null : read.buf.toString('utf8');
    textCache.set(key, text);
    return text;
  };
  const readJsonc = (rel: string): unknown => {
    const t = readText(rel);
    return t === null ? null : parseJsonc(t);
  };
  const readToml = (rel: string): TomlLite | null => {
    const t = readText(rel);
    return t === null ? null : parseTomlLite(t);
  };
  let pkg: Record<string, unknown> | null | undefined;
  let py: TomlLite | null | undefined;
  return {
    root,
    now: opts.now,
    run: opts.run,
    git,
    listing,
    budget,
    exists: (rel) => fs.existsSync(abs(rel)),
    isDir: (rel) => {
      try {
        return fs.statSync(abs(rel)).isDirectory();
      } catch {
        return false;
      }
    },
    readText,
    readJsonc,
    readToml,
    readIni: (rel) => {
      const t = readText(rel);
      return t === null ? null : parseIni(t);
    },
    packageJson: () => {
      if (pkg === undefined) {
        const v = readJsonc('package.json');
        pkg = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
      }
      return pkg;
    },
    pyproject: () => {
      if (py === undefined) py = readToml('pyproject.toml');
      return py;
    },
    mtime: (rel) => {
      try {
        return fs.statSync(abs(rel)).mtimeMs;
      } catch {
        return null;
      }
    },
  };
}

async function gitFacts(root: string, run: CommandRunner): Promise<GitFacts> {
  const top = await run('git', ['rev-parse', '--show-toplevel'], { cwd: root, timeoutMs: GIT_TIMEOUT_MS });
  if (!top.ok) {
    if (top.error === 'ENOENT') {
      return { available: false, isRepo: false, toplevel: null, branch: null, head: null, error: 'git is not installed' };
    }
    const msg = firstLine(top);
    const notRepo = /not a git repository/i.test(msg);
    return { available: true, isRepo: false, toplevel: null, branch: null, head: null, error: notRepo ? null : msg };
  }
  const [branch, head] = await Promise.all([
    run('git', ['symbolic-ref', '--short', '-q', 'HEAD'], { cwd: root, timeoutMs: GIT_TIMEOUT_MS }),
    run('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: root, timeoutMs: GIT_TIMEOUT_MS }),
  ]);
  return {
    available: true,
    isRepo: true,
    toplevel: top.stdout.trim(),
    branch: branch.ok ? branch.stdout.trim() || null : null,
    head: head.ok ? head.stdout.trim() || null : null,
    error: null,
  };
}

function hasSkippedSegment(rel: string): boolean {
  return rel.split('/').some((seg) => SKIP_DIRS.has(seg));
}

async function gitListing(root: string, run: CommandRunner, maxFiles: number): Promise<FileListing | null> {
  const [all, tracked] = await Promise.all([
    run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, timeoutMs: GIT_TIMEOUT_MS * 2 }),
    run('git', ['ls-files', '-z'], { cwd: root, timeoutMs: GIT_TIMEOUT_MS * 2 }),
  ]);
  if (!all.ok || !tracked.ok) return null;
  const unique = [...new Set(all.stdout.split('\0').filter((f) => f !== '' && !hasSkippedSegment(f)))];
  const trackedList = tracked.stdout.split('\0').filter((f) => f !== '');
  return {
    source: 'git',
    files: unique.slice(0, maxFiles),
    tracked: trackedList.slice(0, maxFiles),
    truncated: unique.length > maxFiles || trackedList.length > maxFiles,
    cap: maxFiles,
  };
}

const KEEP_DOT_DIRS = new Set(['.github', '.gitlab', '.circleci', '.husky', '.devcontainer']);

/** Breadth-first walk that stays on `device`, never enters /proc, /sys or /dev, and stops when the budget runs out. */
function walkListing(root: string, maxFiles: number, device: number, budget: Budget): FileListing {
  const files: string[] = [];
  const queue: string[] = [''];
  let truncated = false;
  while (queue.length > 0 && !truncated) {
    if (budget.expired()) {
      truncated = true;
      break;
    }
    const rel = queue.shift()!;
    if (rel !== '') {
      const absDir = path.join(root, rel);
      if (isPseudoFsPath(absDir)) continue;
      try {
        if (fs.statSync(absDir).dev !== device) continue;
      } catch {
        continue;
      }
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name)) continue;
        if (e.name.startsWith('.') && !KEEP_DOT_DIRS.has(e.name)) continue;
        queue.push(childRel);
      } else if (e.isFile()) {
        if (files.length >= maxFiles) {
          truncated = true;
          break;
        }
        files.push(childRel);
      }
    }
  }
  return { source: 'walk', files, tracked: null, truncated, cap: maxFiles };
}
