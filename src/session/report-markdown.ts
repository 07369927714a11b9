/** Renders session reports as Markdown (the same facts as the structured content). */
import { describeQualityHistory } from '../analytics/quality-history.js';
import { round1 } from './quality/dimension.js';
import type { QualityReport } from './quality/score.js';
import type { Recommendation } from './quality/types.js';
import type { CheckpointReport, SessionSummary, StartResult, StatusResult, StorageSection } from './session-types.js';
import { formatBytes } from '../format-bytes.js';

function signed(n: number | null): string {
  if (n === null) return 'n/a';
  return `${n > 0 ? '+' : ''}${round1(n)}`;
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Weighted parts are shown exactly (weight × score / 100 has at most two decimals: both are integers),
 * so the column adds up to the sum shown in the Total row; the total is that sum (rescaled when some
 * weight was not measured) rounded once, to one decimal.
 */
function renderQualityTable(q: QualityReport): string[] {
  const lines = ['| Dimension | Score | Weight | Weighted | Measured |', '|---|---:|---:|---:|---|'];
  let sumTimes100 = 0;
  for (const d of q.dimensions) {
    if (d.measured) sumTimes100 += d.weight * d.score;
    lines.push(
      d.measured
        ? `| ${d.label} | ${d.score}/100 | ${d.weight} | ${((d.weight * d.score) / 100).toFixed(2)} | yes |`
        : `| ${d.label} | — | ${d.weight} | — | not measured |`,
    );
  }
  const total =
    q.total === null ? 'not measured' : `${(sumTimes100 / 100).toFixed(2)}${q.measuredWeight < 100 ? ` × 100/${q.measuredWeight}` : ''} → **${q.total}**`;
  lines.push(`| **Total** | | ${q.measuredWeight}/100 measured | ${total} | |`);
  return lines;
}

function maturityText(q: { maturity: string | null; maturityReason?: string | null }): string {
  if (!q.maturity) return '';
  return q.maturityReason ? `${q.maturity} — ${q.maturityReason}` : q.maturity;
}

function renderEvidence(q: QualityReport): string[] {
  const lines: string[] = [];
  for (const d of q.dimensions) {
    lines.push(`#### ${d.label} — ${d.measured ? `${d.score}/100` : 'not measured'} (weight ${d.weight})`, '');
    for (const e of d.evidence) lines.push(`- ${e}`);
    lines.push('');
  }
  return lines;
}

function renderRecommendations(recs: Recommendation[], max = 15): string[] {
  if (recs.length === 0) return ['None — every measured check earned full points.'];
  const lines = recs.slice(0, max).map((r, i) => {
    const gain = r.gain !== null ? `+${r.gain} pts, ` : '';
    return `${i + 1}. **${r.priority}** — ${r.text} (${gain}${r.dimension})`;
  });
  if (recs.length > max) lines.push(`… and ${recs.length - max} more (see the structured result).`);
  return lines;
}

function renderSessionLine(s: SessionSummary): string {
  return (
    `Session \`${s.id}\` · started ${s.startedAt} (${s.durationMinutes} min)` +
    (s.endedAt ? ` · ended ${s.endedAt}` : '') +
    ` · ${s.checkpoints} checkpoint${s.checkpoints === 1 ? '' : 's'}`
  );
}

function renderStorage(st: StorageSection): string[] {
  const lines: string[] = [];
  const d = st.dataDir;
  if (!d.exists) lines.push(`- Data directory ${d.dataDir}: does not exist yet`);
  else {
    lines.push(`- Data directory ${d.dataDir}: ${formatBytes(d.totalBytes)} in ${d.fileCount} files${d.truncated ? ' (listing capped)' : ''}`);
    for (const f of d.byEntry.slice(0, 8)) lines.push(`  - ${f.path}: ${formatBytes(f.bytes)}`);
  }
  if (st.database.measured) {
    const { stats, compaction } = st.database;
    const pg = stats.postgres;
    lines.push(
      `- Database: ${formatBytes(compaction.databaseBytes)} (${pg ? 'PostgreSQL, ' : ''}${stats.pageCount} pages × ${stats.pageSize} B), ` +
        (pg
          ? `${pg.liveRows} live and ${pg.deadRows} dead row versions, autovacuum ${pg.autovacuum ? 'on' : 'off'}`
          : `${stats.freelistCount} free pages (${(compaction.freeRatio * 100).toFixed(1)}%)`) +
        (compaction.walBytes !== null ? `, WAL ${formatBytes(compaction.walBytes)}` : ''),
    );
    if (stats.rows) {
      const rows = Object.entries(stats.rows).map(([t, n]) => `${t} ${n}`);
      if (rows.length) lines.push(`- Rows: ${rows.join(', ')}`);
    }
    lines.push(`- Compaction: ${compaction.summary}`);
  } else {
    lines.push(`- Database: not measured (${st.database.reason})`);
  }
  return lines;
}

export function renderCheckpointMarkdown(r: CheckpointReport): string {
  const q = r.quality;
  const title = r.kind === 'end' ? 'Session end report' : 'Session checkpoint';
  const lines: string[] = [`# ${title} — ${q.project.name}`, ''];
  lines.push(`Generated ${r.generatedAt} for \`${q.project.root}\`.`);
  lines.push(r.session ? renderSessionLine(r.session) : 'No open session for this directory: session metrics and deltas are not available.');
  lines.push('');

  lines.push(`## Quality Score V2: ${q.total === null ? 'not measured' : `${q.total}/100`}${q.maturity ? ` — ${maturityText(q)}` : ''}`, '');
  if (r.session) {
    lines.push(`Δ since start: ${signed(r.delta.sinceStart)} · Δ since last checkpoint: ${signed(r.delta.sinceLastCheckpoint)}`, '');
  }
  lines.push(`Context window: ${r.context.measured ? r.context.reason : `not measured (${r.context.reason})`}`, '');
  lines.push(
    `Score history of ${q.project.name} (${q.project.root}): ${r.history.measured ? describeQualityHistory(r.history.history) : `not measured (${r.history.reason})`}` +
      (r.history.measured && r.history.reflectionId !== null ? ` · this checkpoint is reflection ${r.history.reflectionId}` : ''),
    '',
  );
  lines.push(...renderQualityTable(q), '');
  lines.push(
    'Weights: tests 25, dependencies 15, documentation 15, git 15, type checking 10, lint 10, security 10 (sum 100). ' +
      'Total = 100 × Σ(weight × score / 100) / measured weight, rounded to one decimal. Maturity: ≥85 production-grade, ≥70 mature, ≥50 developing, ≥25 early, else minimal; ' +
      'at most developing while possible secrets or a .env file are committed.',
    '',
  );
  lines.push('### Evidence', '', ...renderEvidence(q));

  lines.push('## Project health', '');
  const p = q.project;
  lines.push(`- Type: ${p.types.length ? p.types.join(', ') : 'not detected'}${p.indicators.length ? ` (${p.indicators.join('; ')})` : ''}`);
  lines.push(`- Name: ${p.name} (from ${p.nameSource})`);
  lines.push(
    p.git.isRepo
      ? `- Git: branch ${p.git.branch ?? '(detached)'}, HEAD ${p.git.head ? p.git.head.slice(0, 12) : '(no commits yet)'}`
      : `- Git: ${p.git.error ? `not measured (${p.git.error})` : 'not a git repository'}`,
  );
  lines.push(
    `- Files: ${p.files.listed} listed (${p.files.listing === 'git' ? 'git ls-files' : 'directory walk'}${p.files.truncated ? ', capped' : ''}), ` +
      `${p.files.source} source, ${p.files.test} test, ${p.files.docs} documentation`,
  );
  if (r.work.measured) {
    lines.push(
      `- Work this session (${r.work.range}): ${r.work.commits.length} commit${r.work.commits.length === 1 ? '' : 's'}` +
        (r.work.uncommittedChanges !== null ? `, ${r.work.uncommittedChanges} uncommitted changes` : ''),
    );
    for (const c of r.work.commits.slice(0, 10)) lines.push(`  - \`${c.sha}\` ${esc(c.subject)}`);
  } else {
    lines.push(`- Work this session: not measured (${r.work.reason})`);
  }
  lines.push('');

  lines.push('## Session metrics', '');
  if (r.sessionMetrics.measured) {
    const m = r.sessionMetrics.metrics;
    const rate = m.invocations > 0 ? ` (${round1((100 * m.successes) / m.invocations)}% successful)` : '';
    lines.push(`- Skill invocations: ${m.invocations}${rate}, ${m.failures} failed, ${m.distinctSkills} distinct skills`);
    if (m.scope) lines.push(`- Scope: ${m.scope}`);
    if (m.topSkills.length) {
      lines.push('', '| Skill | Invocations | Failures | p50 duration |', '|---|---:|---:|---:|');
      for (const s of m.topSkills) {
        lines.push(`| ${esc(s.skill)} | ${s.invocations} | ${s.failures} | ${s.p50DurationMs === null ? '—' : `${Math.round(s.p50DurationMs)} ms`} |`);
      }
      const rest = m.distinctSkills - m.topSkills.length;
      if (rest > 0) {
        const listed = m.topSkills.reduce((a, s) => ({ n: a.n + s.invocations, f: a.f + s.failures }), { n: 0, f: 0 });
        lines.push(`| … ${rest} more skill${rest === 1 ? '' : 's'} | ${m.invocations - listed.n} | ${m.failures - listed.f} | — |`);
      }
    }
  } else {
    lines.push(`Not measured: ${r.sessionMetrics.reason}.`);
  }
  lines.push('');

  lines.push('## Storage', '', ...renderStorage(r.storage), '');
  lines.push('## Recommendations', '', ...renderRecommendations(r.recommendations), '');
  return lines.join('\n');
}

export function renderStartMarkdown(r: StartResult): string {
  const lines: string[] = [`# Session ${r.resumed ? 'resumed' : 'started'} — ${r.project.name}`, ''];
  lines.push(renderSessionLine(r.session));
  lines.push(`- Working directory: ${r.project.root}`);
  lines.push(`- Type: ${r.project.types.length ? r.project.types.join(', ') : 'not detected'}`);
  lines.push(
    r.project.git.isRepo
      ? `- Git: branch ${r.project.git.branch ?? '(detached)'}, HEAD ${r.project.git.head ? r.project.git.head.slice(0, 12) : '(no commits yet)'}`
      : `- Git: ${r.project.git.error ? `not measured (${r.project.git.error})` : 'not a git repository'}`,
  );
  const q = r.quality;
  lines.push(`- Quality Score V2 at start: ${q === null || q.total === null ? 'not measured' : `${q.total}/100${q.maturity ? ` (${maturityText(q)})` : ''}`}`);
  lines.push('');
  if (r.recommendations.length) {
    lines.push('## Top recommendations', '', ...renderRecommendations(r.recommendations, 5), '');
  }
  lines.push('## Previous session', '');
  if (!r.previousHandoff) lines.push('No handoff from a previous session in this directory.');
  else {
    const h = r.previousHandoff;
    lines.push(`Handoff from session \`${h.sessionId}\`, ended ${h.endedAt}: ${h.markdownPath}`, '');
    if (h.markdown) lines.push('<details><summary>Handoff</summary>', '', h.markdown.trim(), '', '</details>');
  }
  lines.push('');
  return lines.join('\n');
}

export function renderStatusMarkdown(r: StatusResult): string {
  const lines: string[] = ['# Session Buddy status', '', `Generated ${r.generatedAt}.`, ''];
  lines.push('## Sessions', '');
  if (r.current) lines.push(`Current: **${r.current.project}** — ${renderSessionLine(r.current)}`);
  else lines.push('No open session.');
  const others = r.openSessions.filter((s) => s.id !== r.current?.id);
  for (const s of others) lines.push(`- Also open: ${s.project} (${s.workingDirectory}) — ${renderSessionLine(s)}`);
  for (const s of r.recentSessions.slice(0, 5)) lines.push(`- Ended: ${s.project} — ${renderSessionLine(s)}`);
  lines.push(
    '',
    r.history.measured
      ? `Score history of ${r.history.project} (${r.history.workingDirectory}): ${describeQualityHistory(r.history.history)}`
      : `Score history: not measured (${r.history.reason})`,
  );
  lines.push('', '## Server', '');
  for (const [k, v] of Object.entries(r.server)) lines.push(`- ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  lines.push('', '## Store', '', ...renderStorage(r.storage), '');
  return lines.join('\n');
}
