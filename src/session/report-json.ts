/**
 * The wire form (snake_case JSON) of session reports: what the MCP tools return
 * as structured content and what `session-buddy checkpoint --format json` prints.
 */
import { describeQualityHistory, type QualityHistory } from '../analytics/quality-history.js';
import type { ReflectionStats } from '../memory/reflection-service.js';
import type { ProjectInfo } from './project-detect.js';
import type { QualityReport } from './quality/score.js';
import type { Check, DimensionResult, Recommendation } from './quality/types.js';
import type {
  CheckpointReport,
  EndResult,
  PreviousHandoff,
  QualitySnapshot,
  SessionSummary,
  StartResult,
  StatusResult,
  StorageSection,
} from './session-types.js';
import { COMPACT_MIN_FREE_BYTES, COMPACT_MIN_FREE_RATIO } from './storage.js';

function recommendationJson(r: Recommendation) {
  return { priority: r.priority, text: r.text, dimension: r.dimension, gain: r.gain };
}

function checkJson(c: Check) {
  return { id: c.id, label: c.label, max_points: c.maxPoints, points: c.points, evidence: c.evidence };
}

function dimensionJson(d: DimensionResult) {
  return {
    id: d.id,
    label: d.label,
    weight: d.weight,
    score: d.score,
    measured: d.measured,
    weighted: d.measured ? Math.round(d.weight * d.score) / 100 : null,
    evidence: d.evidence,
    checks: d.checks.map(checkJson),
  };
}

function qualityJson(q: QualityReport) {
  return {
    version: q.version,
    total: q.total,
    maturity: q.maturity,
    maturity_reason: q.maturityReason,
    measured_weight: q.measuredWeight,
    assessed_at: q.assessedAt,
    dimensions: q.dimensions.map(dimensionJson),
  };
}

function projectJson(p: ProjectInfo) {
  return {
    root: p.root,
    name: p.name,
    name_source: p.nameSource,
    types: p.types,
    indicators: p.indicators,
    git: {
      available: p.git.available,
      is_repo: p.git.isRepo,
      toplevel: p.git.toplevel,
      branch: p.git.branch,
      head: p.git.head,
      error: p.git.error,
    },
    files: { ...p.files },
  };
}

function sessionJson(s: SessionSummary) {
  return {
    id: s.id,
    project: s.project,
    working_directory: s.workingDirectory,
    started_at: s.startedAt,
    ended_at: s.endedAt,
    open: s.open,
    duration_minutes: s.durationMinutes,
    checkpoints: s.checkpoints,
    git: { is_repo: s.git.isRepo, branch: s.git.branch, head_at_start: s.git.headAtStart },
    start_total: s.startTotal,
    last_total: s.lastTotal,
  };
}

function storageJson(s: StorageSection) {
  const d = s.dataDir;
  const db = s.database;
  return {
    data_dir: {
      path: d.dataDir,
      exists: d.exists,
      total_bytes: d.totalBytes,
      file_count: d.fileCount,
      by_entry: d.byEntry.map((e) => ({ path: e.path, bytes: e.bytes })),
      truncated: d.truncated,
    },
    database: db.measured
      ? {
          measured: true as const,
          page_size: db.stats.pageSize,
          page_count: db.stats.pageCount,
          freelist_count: db.stats.freelistCount,
          wal_bytes: db.stats.walBytes ?? null,
          rows: db.stats.rows ?? {},
          database_bytes: db.compaction.databaseBytes,
          free_bytes: db.compaction.freeBytes,
          free_ratio: db.compaction.freeRatio,
          compaction: {
            recommended: db.compaction.recommended,
            actions: db.compaction.actions.map((a) => ({ action: a.action, reason: a.reason })),
            summary: db.compaction.summary,
            thresholds: {
              compact_threshold_bytes: db.compaction.thresholds.compactThresholdBytes,
              vacuum_free_ratio: COMPACT_MIN_FREE_RATIO,
              vacuum_min_free_bytes: COMPACT_MIN_FREE_BYTES,
            },
          },
        }
      : { measured: false as const, reason: db.reason },
  };
}

export function checkpointJson(r: CheckpointReport, markdown: string) {
  const w = r.work;
  const m = r.sessionMetrics;
  return {
    kind: r.kind,
    generated_at: r.generatedAt,
    session: r.session ? sessionJson(r.session) : null,
    project: projectJson(r.quality.project),
    quality: qualityJson(r.quality),
    delta: {
      since_start: r.delta.sinceStart,
      since_last_checkpoint: r.delta.sinceLastCheckpoint,
      dimensions: r.delta.dimensions.map((d) => ({ id: d.id, start: d.start, now: d.now, delta: d.delta })),
    },
    work: w.measured
      ? {
          measured: true as const,
          range: w.range,
          commits: w.commits.map((c) => ({ sha: c.sha, subject: c.subject })),
          uncommitted_changes: w.uncommittedChanges,
        }
      : { measured: false as const, reason: w.reason },
    session_metrics: m.measured
      ? {
          measured: true as const,
          invocations: m.metrics.invocations,
          successes: m.metrics.successes,
          failures: m.metrics.failures,
          distinct_skills: m.metrics.distinctSkills,
          top_skills: m.metrics.topSkills.map((s) => ({
            skill: s.skill,
            invocations: s.invocations,
            failures: s.failures,
            p50_duration_ms: s.p50DurationMs,
          })),
          scope: m.metrics.scope ?? null,
        }
      : { measured: false as const, reason: m.reason },
    storage: storageJson(r.storage),
    recommendations: r.recommendations.map(recommendationJson),
    context: r.context.measured
      ? {
          measured: true as const,
          transcript: r.context.transcript,
          used_tokens: r.context.usedTokens,
          window_tokens: r.context.windowTokens,
          ratio: r.context.ratio,
          model: r.context.model,
          at: r.context.at,
          recommend_compact: r.context.recommendCompact,
          advice: r.context.reason,
        }
      : { measured: false as const, reason: r.context.reason },
    history: r.history.measured
      ? { measured: true as const, reflection_id: r.history.reflectionId, ...historyJson(r.history.history) }
      : { measured: false as const, reason: r.history.reason },
    markdown,
  };
}

function historyJson(h: QualityHistory) {
  return {
    points: h.points.map((p) => ({ at: p.at, total: p.total })),
    change: h.change,
    direction: h.direction,
    sparkline: h.sparkline,
    most_moved: h.mostMoved ? { ...h.mostMoved } : null,
    summary: describeQualityHistory(h),
  };
}

function snapshotJson(q: QualitySnapshot | null) {
  if (!q) return null;
  return {
    at: q.at,
    total: q.total,
    maturity: q.maturity,
    // Snapshots stored before the reason was kept have none.
    maturity_reason: q.maturityReason ?? null,
    measured_weight: q.measuredWeight,
    dimensions: { ...q.dimensions },
  };
}

function previousJson(h: PreviousHandoff | null) {
  if (!h) return null;
  return {
    markdown_path: h.markdownPath,
    json_path: h.jsonPath,
    session_id: h.sessionId,
    ended_at: h.endedAt,
    quality: { ...h.quality },
    open_recommendations: h.openRecommendations.map(recommendationJson),
    markdown: h.markdown,
  };
}

export function startJson(r: StartResult, markdown: string) {
  return {
    session: sessionJson(r.session),
    resumed: r.resumed,
    project: projectJson(r.project),
    quality: snapshotJson(r.quality),
    recommendations: r.recommendations.map(recommendationJson),
    previous_handoff: previousJson(r.previousHandoff),
    markdown,
  };
}

export function endJson(r: EndResult, markdown: string) {
  return {
    ...checkpointJson(r.report, markdown),
    handoff: { markdown_path: r.handoff.markdownPath, json_path: r.handoff.jsonPath },
  };
}

export function statusJson(r: StatusResult, reflections: ReflectionStats | null, markdown: string) {
  return {
    generated_at: r.generatedAt,
    history: r.history.measured
      ? { measured: true as const, project: r.history.project, working_directory: r.history.workingDirectory, ...historyJson(r.history.history) }
      : { measured: false as const, reason: r.history.reason },
    current: r.current ? sessionJson(r.current) : null,
    open_sessions: r.openSessions.map(sessionJson),
    recent_sessions: r.recentSessions.map(sessionJson),
    server: r.server,
    storage: storageJson(r.storage),
    reflections: reflections ? { ...reflections } : null,
    markdown,
  };
}
