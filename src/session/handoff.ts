/**
 * Session handoff files: `<dataDir>/handoffs/<project-slug>-<YYYYMMDD-HHMMSS>-<id8>.md`
 * plus a `.json` sidecar with the same facts in structured form. `start` finds
 * the newest sidecar whose workingDirectory equals the new session's directory.
 * Only the newest `keepPerProject` handoffs of a directory are kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProjectType } from './project-detect.js';
import { round1 } from './quality/dimension.js';
import type { DimensionId, Recommendation } from './quality/types.js';
import type { CommitInfo, SessionSkillMetrics } from './session-types.js';
import { ensureDir } from '../ensure-dir.js';

export interface HandoffRecord {
  version: 1;
  sessionId: string;
  project: string;
  projectTypes: ProjectType[];
  workingDirectory: string;
  startedAt: string;
  endedAt: string;
  git: { isRepo: boolean; branch: string | null; headAtStart: string | null; headAtEnd: string | null };
  quality: { start: number | null; end: number | null; delta: number | null; maturity: string | null };
  dimensions: { id: DimensionId; label: string; start: number | null; end: number | null }[];
  /** null when not measured (with the reason in workNote). */
  commits: CommitInfo[] | null;
  uncommittedChanges: number | null;
  workNote: string | null;
  checkpoints: number;
  sessionMetrics: SessionSkillMetrics | null;
  sessionMetricsNote: string | null;
  openRecommendations: Recommendation[];
  /** File name of the Markdown twin. */
  markdownFile: string;
}

export interface FoundHandoff {
  record: HandoffRecord;
  markdownPath: string;
  jsonPath: string;
  markdown: string | null;
}

export const DEFAULT_HANDOFFS_PER_PROJECT = 20;

function handoffDir(dataDir: string): string {
  return path.join(dataDir, 'handoffs');
}

export function projectSlug(project: string): string {
  const s = project
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s === '' ? 'project' : s;
}

function stamp(iso: string): string {
  // 2026-01-02T03:04:05.678Z -> 20260102-030405
  return iso.slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

export function handoffBaseName(record: Pick<HandoffRecord, 'project' | 'endedAt' | 'sessionId'>): string {
  return `${projectSlug(record.project)}-${stamp(record.endedAt)}-${record.sessionId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}`;
}

function signed(n: number | null): string {
  if (n === null) return 'n/a';
  return `${n > 0 ? '+' : ''}${round1(n)}`;
}

function fmt(n: number | null): string {
  return n === null ? 'not measured' : String(n);
}

function minutesBetween(a: string, b: string): number {
  return Math.max(0, Math.round((Date.parse(b) - Date.parse(a)) / 60000));
}

function renderHandoffMarkdown(r: HandoffRecord): string {
  const lines: string[] = [];
  lines.push(`# Session handoff — ${r.project}`, '');
  lines.push(`- **Session:** ${r.sessionId}`);
  lines.push(`- **Working directory:** ${r.workingDirectory}`);
  lines.push(`- **Started:** ${r.startedAt}`);
  lines.push(`- **Ended:** ${r.endedAt} (${minutesBetween(r.startedAt, r.endedAt)} min)`);
  if (r.git.isRepo) {
    const short = (s: string | null) => (s ? s.slice(0, 12) : '(none)');
    lines.push(`- **Git:** branch ${r.git.branch ?? '(detached)'}, HEAD ${short(r.git.headAtStart)} → ${short(r.git.headAtEnd)}`);
  } else {
    lines.push('- **Git:** not a git repository');
  }
  lines.push('', '## What was done', '');
  if (r.commits === null) {
    lines.push(`- Commits: not measured${r.workNote ? ` (${r.workNote})` : ''}`);
  } else {
    lines.push(`- ${r.commits.length} commit${r.commits.length === 1 ? '' : 's'} during the session${r.commits.length ? ':' : ''}`);
    for (const c of r.commits.slice(0, 30)) lines.push(`  - \`${c.sha}\` ${c.subject}`);
    if (r.commits.length > 30) lines.push(`  - … ${r.commits.length - 30} more`);
  }
  lines.push(`- Uncommitted changes at end: ${r.uncommittedChanges === null ? 'not measured' : r.uncommittedChanges}`);
  lines.push(`- Checkpoints taken: ${r.checkpoints}`);
  if (r.sessionMetrics) {
    const m = r.sessionMetrics;
    lines.push(`- Skill invocations: ${m.invocations} (${m.failures} failed) across ${m.distinctSkills} skills`);
    for (const s of m.topSkills) lines.push(`  - ${s.skill}: ${s.invocations} (${s.failures} failed)`);
    const rest = m.distinctSkills - m.topSkills.length;
    if (rest > 0) {
      // The store lists the most used skills only: the others are summed, never left out without a word.
      const listed = m.topSkills.reduce((a, s) => ({ n: a.n + s.invocations, f: a.f + s.failures }), { n: 0, f: 0 });
      lines.push(`  - … ${rest} more skill${rest === 1 ? '' : 's'}: ${m.invocations - listed.n} (${m.failures - listed.f} failed)`);
    }
  } else {
    lines.push(`- Skill invocations: not measured${r.sessionMetricsNote ? ` (${r.sessionMetricsNote})` : ''}`);
  }
  lines.push('', '## Quality', '');
  lines.push(
    `Quality Score V2: ${fmt(r.quality.start)} at start → ${fmt(r.quality.end)} at end (Δ ${signed(r.quality.delta)})${r.quality.maturity ? `, maturity **${r.quality.maturity}**` : ''}.`,
    '',
  );
  lines.push('| Dimension | Start | End | Δ |', '|---|---:|---:|---:|');
  for (const d of r.dimensions) {
    const delta = d.start !== null && d.end !== null ? d.end - d.start : null;
    lines.push(`| ${d.label} | ${fmt(d.start)} | ${fmt(d.end)} | ${signed(delta)} |`);
  }
  lines.push('', '## Open recommendations', '');
  if (r.openRecommendations.length === 0) lines.push('None.');
  r.openRecommendations.forEach((rec, i) => {
    lines.push(`${i + 1}. **${rec.priority}** — ${rec.text}${rec.gain !== null ? ` (+${rec.gain} pts, ${rec.dimension})` : ` (${rec.dimension})`}`);
  });
  lines.push('');
  return lines.join('\n');
}

/** Writes the Markdown and JSON files; returns their paths. Prunes old handoffs of the same directory. */
export function writeHandoff(
  dataDir: string,
  record: Omit<HandoffRecord, 'markdownFile'>,
  keepPerProject = DEFAULT_HANDOFFS_PER_PROJECT,
): { markdownPath: string; jsonPath: string; record: HandoffRecord } {
  const dir = handoffDir(dataDir);
  ensureDir(dir, 0o777);
  const base = handoffBaseName(record);
  const full: HandoffRecord = { ...record, markdownFile: `${base}.md` };
  const markdownPath = path.join(dir, `${base}.md`);
  const jsonPath = path.join(dir, `${base}.json`);
  writeAtomic(markdownPath, renderHandoffMarkdown(full));
  writeAtomic(jsonPath, `${JSON.stringify(full, null, 2)}\n`);
  pruneHandoffs(dataDir, full.workingDirectory, keepPerProject);
  return { markdownPath, jsonPath, record: full };
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, 'utf8');
  fs.renameSync(tmp, file);
}

function listHandoffs(dataDir: string, workingDirectory: string): FoundHandoff[] {
  const dir = handoffDir(dataDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: FoundHandoff[] = [];
  for (const name of names) {
    const jsonPath = path.join(dir, name);
    let record: HandoffRecord;
    try {
      record = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as HandoffRecord;
    } catch {
      continue;
    }
    if (record?.version !== 1 || record.workingDirectory !== workingDirectory || typeof record.endedAt !== 'string') continue;
    const markdownPath = path.join(dir, path.basename(record.markdownFile ?? name.replace(/\.json$/, '.md')));
    out.push({ record, markdownPath, jsonPath, markdown: null });
  }
  return out.sort((a, b) => (a.record.endedAt < b.record.endedAt ? 1 : a.record.endedAt > b.record.endedAt ? -1 : 0));
}

/** The newest handoff written for `workingDirectory`, with its Markdown text. */
export function findLatestHandoff(dataDir: string, workingDirectory: string): FoundHandoff | null {
  const newest = listHandoffs(dataDir, workingDirectory)[0];
  if (!newest) return null;
  let markdown: string | null = null;
  try {
    markdown = fs.readFileSync(newest.markdownPath, 'utf8');
  } catch {
    markdown = null;
  }
  return { ...newest, markdown };
}

function pruneHandoffs(dataDir: string, workingDirectory: string, keep: number): void {
  for (const old of listHandoffs(dataDir, workingDirectory).slice(keep)) {
    for (const f of [old.jsonPath, old.markdownPath]) {
      try {
        fs.unlinkSync(f);
      } catch {
        // already gone
      }
    }
  }
}
