/**
 * Checkpoints as reflections: the text a checkpoint's record is searched by
 * (project, score, what moved, skills used, commits) and the structured record
 * kept beside it (reflections.data, JSON), from which the project's score
 * history is read back.
 */
import type { QualityPoint } from '../analytics/quality-history.js';
import type { CheckpointMemoryEntry } from '../session/session-types.js';
import type { CheckpointRecordRow } from '../store/reflection-types.js';

const sign = (x: number) => (x > 0 ? `+${x}` : `${x}`);

/** One paragraph that full-text search finds the checkpoint by. */
export function checkpointContent(e: CheckpointMemoryEntry): string {
  const parts = [
    `${e.kind === 'end' ? 'Session end' : 'Checkpoint'} of ${e.project} (session ${e.sessionId}) at ${e.at}: ` +
      `Quality Score V2 ${e.total ?? 'not measured'}${e.maturity ? ` (${e.maturity})` : ''}` +
      (e.changed.total !== null ? `, ${sign(e.changed.total)} since ${e.changed.since}` : '') +
      '.',
  ];
  const dims = Object.entries(e.dimensions)
    .map(([id, v]) => `${id} ${v ?? 'not measured'}`)
    .join(', ');
  if (dims) parts.push(`Dimensions: ${dims}.`);
  if (e.changed.dimensions.length) parts.push(`Moved: ${e.changed.dimensions.map((d) => `${d.id} ${d.from} → ${d.to} (${sign(d.delta)})`).join(', ')}.`);
  const m = e.skillMetrics;
  if (m) {
    parts.push(
      `Skills: ${m.invocations} invocations, ${m.failures} failed` +
        (m.topSkills.length ? ` (${m.topSkills.map((s) => `${s.skill} ${s.invocations}${s.failures ? `/${s.failures} failed` : ''}`).join(', ')})` : '') +
        (e.changed.newInvocations !== null ? `; ${e.changed.newInvocations} new since the last checkpoint` : '') +
        '.',
    );
  }
  if (e.commits) {
    parts.push(
      `Commits since start: ${e.commits.length}` +
        (e.changed.newCommits !== null ? ` (${e.changed.newCommits} new)` : '') +
        (e.commits.length
          ? ` — ${e.commits
              .slice(0, 5)
              .map((c) => `${c.sha} ${c.subject}`)
              .join('; ')}`
          : '') +
        '.',
    );
  }
  if (e.recommendations.length) parts.push(`Open: ${e.recommendations.join(' | ')}.`);
  return parts.join('\n');
}

/** The history point of a stored record; null when the record is unreadable (skipped, never fatal). */
export function toQualityPoint(row: CheckpointRecordRow): QualityPoint | null {
  if (row.data === null) return null;
  try {
    const d = JSON.parse(row.data) as Partial<CheckpointMemoryEntry>;
    return {
      at: typeof d.at === 'string' ? d.at : new Date(row.created_at).toISOString(),
      total: typeof d.total === 'number' ? d.total : null,
      dimensions: d.dimensions && typeof d.dimensions === 'object' ? d.dimensions : {},
    };
  } catch {
    return null;
  }
}
