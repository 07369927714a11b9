/**
 * Git hygiene dimension (weight 15). Outside a repository the dimension is a
 * single 0-point check; without a git executable it is not measured. Checks (sum 100):
 * - clean working tree (30): 0 uncommitted changes → 30, 1–10 → 15, more → 0;
 * - commit messages (30): 30 × share of the last ≤ 50 non-merge commit subjects that
 *   follow Conventional Commits (`type(scope)!: subject`); not measured without commits;
 * - recent activity (20): last commit ≤ 7 days old → 20, ≤ 30 days → 10, older → 0;
 * - ignore rules (20): `.gitignore` present 10, `.env` ignored (git check-ignore) 10.
 */
import { firstLine } from '../exec.js';
import { GIT_TIMEOUT_MS, type ProjectContext } from '../project-context.js';
import { buildDimension, pct, plural, round1 } from './dimension.js';
import type { Check, DimensionResult } from './types.js';

export const GIT_WEIGHT = 15;
const CONVENTIONAL_COMMIT = /^(feat|fix|docs|style|refactor|perf|test|tests|build|ci|chore|revert)(\([^)]*\))?!?: \S/;
const DAY_MS = 86_400_000;
const LOG_LIMIT = 50;

interface GitActivity {
  changes: { total: number; untracked: number };
  subjects: string[];
  lastCommitAt: number | null;
  commitsLast30Days: number;
  envIgnored: boolean | null;
}

async function readGitActivity(ctx: ProjectContext): Promise<GitActivity | { error: string }> {
  const opts = { cwd: ctx.root, timeoutMs: GIT_TIMEOUT_MS };
  const sinceSec = Math.floor((ctx.now - 30 * DAY_MS) / 1000);
  const hasHead = ctx.git.head !== null;
  const [status, log, count, ignore] = await Promise.all([
    ctx.run('git', ['--no-optional-locks', 'status', '--porcelain'], opts),
    hasHead ? ctx.run('git', ['log', '-n', String(LOG_LIMIT), '--no-merges', '--format=%ct%x09%s'], opts) : null,
    hasHead ? ctx.run('git', ['rev-list', '--count', '--no-merges', `--since=${sinceSec}`, 'HEAD'], opts) : null,
    ctx.run('git', ['check-ignore', '-q', '--no-index', '.env'], opts),
  ]);
  if (!status.ok) return { error: `git status failed: ${firstLine(status)}` };
  const lines = status.stdout.split('\n').filter((l) => l.trim() !== '');
  const subjects: string[] = [];
  let lastCommitAt: number | null = null;
  if (log?.ok) {
    for (const line of log.stdout.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const t = Number(line.slice(0, tab)) * 1000;
      if (lastCommitAt === null || t > lastCommitAt) lastCommitAt = t;
      subjects.push(line.slice(tab + 1));
    }
  }
  return {
    changes: { total: lines.length, untracked: lines.filter((l) => l.startsWith('??')).length },
    subjects,
    lastCommitAt,
    commitsLast30Days: count?.ok ? Number(count.stdout.trim()) || 0 : 0,
    // check-ignore: exit 0 = ignored, 1 = not ignored, anything else = unknown.
    envIgnored: ignore.ok ? true : ignore.code === 1 ? false : null,
  };
}

export async function assessGit(ctx: ProjectContext): Promise<DimensionResult> {
  const g = ctx.git;
  if (!g.available || (g.error && !g.isRepo)) {
    return buildDimension('git', 'Git hygiene', GIT_WEIGHT, [
      { id: 'git.repository', label: 'Repository', maxPoints: 100, points: null, evidence: `not measured: ${g.error ?? 'git unavailable'}` },
    ]);
  }
  if (!g.isRepo) {
    return buildDimension('git', 'Git hygiene', GIT_WEIGHT, [
      {
        id: 'git.repository',
        label: 'Repository',
        maxPoints: 100,
        points: 0,
        evidence: 'not a git repository',
        advice: 'Put the project under version control (git init) and commit regularly',
      },
    ]);
  }
  const info = [`branch ${g.branch ?? '(detached HEAD)'}, HEAD ${g.head ? g.head.slice(0, 12) : '(no commits yet)'}`];
  const act = await readGitActivity(ctx);
  if ('error' in act) {
    return buildDimension(
      'git',
      'Git hygiene',
      GIT_WEIGHT,
      [{ id: 'git.repository', label: 'Repository', maxPoints: 100, points: null, evidence: `not measured: ${act.error}` }],
      info,
    );
  }
  const checks: Check[] = [];
  const n = act.changes.total;
  checks.push({
    id: 'git.clean',
    label: 'Working tree',
    maxPoints: 30,
    points: n === 0 ? 30 : n <= 10 ? 15 : 0,
    evidence: n === 0 ? 'clean (0 uncommitted changes)' : `${plural(n, 'uncommitted change')} (${act.changes.untracked} untracked)`,
    advice: `Commit or discard the ${plural(n, 'uncommitted change')}`,
  });
  const conv = act.subjects.filter((s) => CONVENTIONAL_COMMIT.test(s)).length;
  const share = act.subjects.length ? conv / act.subjects.length : 0;
  checks.push(
    act.subjects.length === 0
      ? {
          id: 'git.messages',
          label: 'Commit messages',
          maxPoints: 30,
          points: null,
          evidence: `not measured: ${g.head === null ? 'no commits yet' : 'no non-merge commit subjects read'}`,
        }
      : {
          id: 'git.messages',
          label: 'Commit messages',
          maxPoints: 30,
          points: round1(30 * share),
          evidence: `${conv} of the last ${plural(act.subjects.length, 'non-merge commit')} follow Conventional Commits (${pct(100 * share)})`,
          advice: 'Use Conventional Commit subjects (feat: …, fix: …, docs: …)',
        },
  );
  const ageDays = act.lastCommitAt === null ? null : Math.max(0, (ctx.now - act.lastCommitAt) / DAY_MS);
  checks.push({
    id: 'git.activity',
    label: 'Recent activity',
    maxPoints: 20,
    points: ageDays === null ? 0 : ageDays <= 7 ? 20 : ageDays <= 30 ? 10 : 0,
    evidence:
      ageDays === null ? 'no commits yet' : `last commit ${Math.floor(ageDays)} days ago; ${plural(act.commitsLast30Days, 'commit')} in the last 30 days`,
    advice: 'Commit work in small, regular steps',
  });
  const hasIgnore = ctx.exists('.gitignore');
  const ignorePoints = (hasIgnore ? 10 : 0) + (act.envIgnored === true ? 10 : 0);
  checks.push({
    id: 'git.ignore',
    label: 'Ignore rules',
    maxPoints: 20,
    points: ignorePoints,
    evidence:
      `.gitignore ${hasIgnore ? 'present' : 'missing'}; .env ` +
      (act.envIgnored === null ? 'ignore status unknown' : act.envIgnored ? 'is ignored' : 'is NOT ignored'),
    advice: hasIgnore ? 'Add .env to .gitignore' : 'Add a .gitignore (dependencies, build output, .env)',
  });
  return buildDimension('git', 'Git hygiene', GIT_WEIGHT, checks, info);
}
