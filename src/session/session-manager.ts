/**
 * Session lifecycle: start → checkpoint* → end, plus status.
 *
 * - Sessions live in `<dataDir>/sessions/state.json` (see session-state.ts), so a
 *   server restart keeps open sessions. Several directories may have an open
 *   session at once (one shared server, several agent windows); `current` is
 *   the most recently started or resumed one and is used when a call names none.
 * - No call changes the process working directory; every path is explicit.
 * - start: validates the directory, measures a baseline Quality Score V2, and
 *   returns the newest handoff written by `end` for the same directory.
 *   Starting in a directory that already has an open session resumes it.
 * - checkpoint: measures quality again and reports deltas, the commits made
 *   since the session started, the session's skill metrics (from the injected
 *   provider) and storage usage with a compaction recommendation.
 * - end: a final checkpoint, then a handoff (Markdown + JSON) in `<dataDir>/handoffs/`.
 * Mutating calls are serialised within the process.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { firstLine, runCommand, type CommandRunner } from './exec.js';
import { findLatestHandoff, writeHandoff, DEFAULT_HANDOFFS_PER_PROJECT } from './handoff.js';
import { GIT_TIMEOUT_MS } from './project-context.js';
import { createAuditRunner, disabledAudit, type AuditOutcome, type AuditRunner } from './quality/audit.js';
import { priorityForGain, round1 } from './quality/dimension.js';
import { assessQuality, sortRecommendations, unmeasuredQuality, type QualityReport } from './quality/score.js';
import type { Recommendation } from './quality/types.js';
import { SessionStateFile, type SessionState } from './session-state.js';
import type {
  CheckpointReport,
  CommitInfo,
  EndResult,
  Measured,
  PreviousHandoff,
  QualityDelta,
  QualitySnapshot,
  ServerHealthProvider,
  CheckpointMemoryEntry,
  SessionMemory,
  SessionRecord,
  SessionSkillMetrics,
  SessionSkillMetricsProvider,
  SessionSummary,
  StartResult,
  StatusResult,
  StorageSection,
  StorageStatsProvider,
} from './session-types.js';
import { isPseudoFsPath } from './bounded-read.js';
import { findTranscript, readContextUsage, type ContextUsage } from './context-usage.js';
import { compactionAdvice, DEFAULT_COMPACTION_THRESHOLDS, measureDataDir, type CompactionThresholds } from './storage.js';

/** A report before it is kept as a reflection and its storage is measured. */
type ReportDraft = Omit<CheckpointReport, 'storage' | 'history'>;

export interface SessionManagerOptions {
  dataDir: string;
  logger: Logger;
  now?: () => number;
  /** Child-process runner (git, npm audit); injectable for tests. */
  run?: CommandRunner;
  /** Dependency audit: 'auto' runs npm audit / pip-audit (10 s timeout, results cached 10 min), 'off' skips it. */
  audit?: 'auto' | 'off' | AuditRunner;
  sessionSkillMetrics?: SessionSkillMetricsProvider;
  /** Keeps every checkpoint as a reflection and answers the project's score history. */
  memory?: SessionMemory;
  /** Claude Code configuration directories, where checkpoints look for the agent's transcript (context fullness). */
  claudeConfigDirs?: string[];
  storageStats?: StorageStatsProvider;
  serverHealth?: ServerHealthProvider;
  compaction?: Partial<CompactionThresholds>;
  secretScan?: { maxFiles?: number; maxBytes?: number };
  maxFiles?: number;
  handoffsPerProject?: number;
}

export interface CheckpointTarget {
  sessionId?: string;
  /** Report on this directory; uses its open session when there is one, otherwise an ad-hoc report. */
  workingDirectory?: string;
  /** The agent's transcript (JSONL) to measure context fullness from; default: the newest one of the directory. */
  transcriptPath?: string;
}

const MAX_CHECKPOINT_HISTORY = 50;
const AUDIT_CACHE_MS = 10 * 60_000;
const MAX_COMMITS = 100;

export class SessionManager {
  private readonly now: () => number;
  private readonly run: CommandRunner;
  private readonly state: SessionStateFile;
  private readonly audit: AuditRunner;
  private readonly thresholds: CompactionThresholds;
  private readonly auditCache = new Map<string, { at: number; outcome: AuditOutcome }>();
  private chain: Promise<unknown> = Promise.resolve();
  private pendingInvocations: (() => Promise<unknown>) | null = null;

  constructor(private readonly opts: SessionManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.run = opts.run ?? runCommand;
    this.state = new SessionStateFile(opts.dataDir, opts.logger);
    this.thresholds = { ...DEFAULT_COMPACTION_THRESHOLDS, ...opts.compaction };
    const a = opts.audit ?? 'auto';
    this.audit = a === 'off' ? disabledAudit : this.cachedAudit(a === 'auto' ? createAuditRunner(this.run) : a);
  }

  /**
   * Records invocations captured but not stored yet (the hooks' spool, which a stdio-only
   * set-up drains every 30 s) before a checkpoint or end counts the session's invocations,
   * so the calls of the last seconds are in its figures and in the handoff.
   */
  setPendingInvocations(flush: () => Promise<unknown>): void {
    this.pendingInvocations = flush;
  }

  start(workingDirectory: string): Promise<StartResult> {
    return this.exclusive(async () => {
      const dir = resolveDirectory(workingDirectory);
      const state = this.state.load();
      const existing = state.sessions.find((s) => s.endedAt === null && s.workingDirectory === dir);
      if (existing) {
        state.current = existing.id;
        this.state.save(state);
        const quality = await this.assess(dir);
        return {
          session: this.summary(existing),
          resumed: true,
          project: quality.project,
          quality: existing.startQuality,
          recommendations: quality.recommendations.slice(0, 5),
          previousHandoff: this.previousHandoff(dir, existing.previousHandoff),
        };
      }
      const quality = await this.assess(dir);
      const found = findLatestHandoff(this.opts.dataDir, dir);
      const record: SessionRecord = {
        id: crypto.randomUUID(),
        project: quality.project.name,
        workingDirectory: dir,
        projectTypes: quality.project.types,
        startedAt: new Date(this.now()).toISOString(),
        endedAt: null,
        git: { isRepo: quality.project.git.isRepo, branch: quality.project.git.branch, headAtStart: quality.project.git.head },
        startQuality: snapshot(quality),
        checkpoints: [],
        checkpointCount: 0,
        previousHandoff: found?.markdownPath ?? null,
        handoffPath: null,
      };
      state.sessions.push(record);
      state.current = record.id;
      this.state.save(state);
      this.opts.logger.info('session started', { sessionId: record.id, project: record.project, dir });
      return {
        session: this.summary(record),
        resumed: false,
        project: quality.project,
        quality: record.startQuality,
        recommendations: quality.recommendations.slice(0, 5),
        previousHandoff: found ? toPrevious(found) : null,
      };
    });
  }

  checkpoint(target: CheckpointTarget = {}): Promise<CheckpointReport> {
    return this.exclusive(async () => {
      const state = this.state.load();
      const rec = this.findTarget(state, target);
      if (!rec) {
        const dir = resolveDirectory(target.workingDirectory!);
        return this.buildReport('adhoc', null, await this.assess(dir), target.transcriptPath);
      }
      if (!isDirectory(rec.workingDirectory)) {
        throw AppError.invalid('working_directory', `no longer exists (${rec.workingDirectory}): end the session to close it`, {
          sessionId: rec.id,
        });
      }
      const report = await this.buildReport('checkpoint', rec, await this.assess(rec.workingDirectory), target.transcriptPath);
      rec.checkpoints = [...rec.checkpoints, checkpointEntry(report)].slice(-MAX_CHECKPOINT_HISTORY);
      rec.checkpointCount++;
      this.state.save(state);
      return { ...report, session: this.summary(rec) };
    });
  }

  end(sessionId?: string): Promise<EndResult> {
    return this.exclusive(async () => {
      const state = this.state.load();
      const rec = this.findTarget(state, sessionId === undefined ? {} : { sessionId });
      if (!rec) throw new AppError('NOT_FOUND', 'no open session to end', { field: 'session_id' });
      const report = await this.buildReport('end', rec, await this.assessForEnd(rec));
      rec.endedAt = report.generatedAt;
      const start = rec.startQuality;
      const end = report.quality;
      const written = writeHandoff(
        this.opts.dataDir,
        {
          version: 1,
          sessionId: rec.id,
          project: rec.project,
          projectTypes: rec.projectTypes,
          workingDirectory: rec.workingDirectory,
          startedAt: rec.startedAt,
          endedAt: rec.endedAt,
          git: { ...rec.git, headAtEnd: end.project.git.head },
          quality: { start: start?.total ?? null, end: end.total, delta: report.delta.sinceStart, maturity: end.maturity },
          dimensions: end.dimensions.map((d) => ({
            id: d.id,
            label: d.label,
            start: start?.dimensions[d.id] ?? null,
            end: d.measured ? d.score : null,
          })),
          commits: report.work.measured ? report.work.commits : null,
          uncommittedChanges: report.work.measured ? report.work.uncommittedChanges : null,
          workNote: report.work.measured ? null : report.work.reason,
          checkpoints: rec.checkpointCount,
          sessionMetrics: report.sessionMetrics.measured ? report.sessionMetrics.metrics : null,
          sessionMetricsNote: report.sessionMetrics.measured ? null : report.sessionMetrics.reason,
          openRecommendations: report.recommendations,
        },
        this.opts.handoffsPerProject ?? DEFAULT_HANDOFFS_PER_PROJECT,
      );
      rec.handoffPath = written.markdownPath;
      if (state.current === rec.id) {
        const stillOpen = state.sessions.filter((s) => s.endedAt === null);
        state.current = stillOpen.length ? stillOpen[stillOpen.length - 1]!.id : null;
      }
      this.state.save(state);
      this.opts.logger.info('session ended', { sessionId: rec.id, handoff: written.markdownPath });
      return {
        report: { ...report, session: this.summary(rec) },
        handoff: { markdownPath: written.markdownPath, jsonPath: written.jsonPath },
      };
    });
  }

  async status(): Promise<StatusResult> {
    const state = this.state.load();
    const open = state.sessions.filter((s) => s.endedAt === null);
    const ended = state.sessions.filter((s) => s.endedAt !== null).sort((a, b) => (a.endedAt! < b.endedAt! ? 1 : -1));
    const current = open.find((s) => s.id === state.current) ?? null;
    const mem = process.memoryUsage();
    let server: Record<string, unknown> = {
      pid: process.pid,
      node: process.version,
      uptimeSeconds: Math.round(process.uptime()),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
    };
    if (this.opts.serverHealth) {
      try {
        server = { ...server, ...(await this.opts.serverHealth()) };
      } catch (err) {
        server = { ...server, health: `not measured: ${(err as Error).message}` };
      }
    }
    const focus = current ?? open.at(-1) ?? ended[0] ?? null;
    return {
      generatedAt: new Date(this.now()).toISOString(),
      history: await this.projectHistory(focus),
      current: current ? this.summary(current) : null,
      openSessions: open.map((s) => this.summary(s)),
      recentSessions: ended.slice(0, 10).map((s) => this.summary(s)),
      server,
      storage: await this.storage(),
    };
  }

  // ---------------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private findTarget(state: SessionState, target: CheckpointTarget): SessionRecord | null {
    if (target.sessionId !== undefined) {
      if (typeof target.sessionId !== 'string' || target.sessionId === '') {
        throw AppError.invalid('session_id', 'must be a non-empty string');
      }
      const rec = state.sessions.find((s) => s.id === target.sessionId);
      if (!rec) throw new AppError('NOT_FOUND', `session ${target.sessionId} not found`, { field: 'session_id' });
      if (rec.endedAt !== null) throw new AppError('CONFLICT', `session ${target.sessionId} already ended at ${rec.endedAt}`, { field: 'session_id' });
      return rec;
    }
    if (target.workingDirectory !== undefined) {
      const dir = resolveDirectory(target.workingDirectory);
      return state.sessions.find((s) => s.endedAt === null && s.workingDirectory === dir) ?? null;
    }
    const rec = state.sessions.find((s) => s.id === state.current && s.endedAt === null);
    if (!rec) throw new AppError('NOT_FOUND', 'no open session: call start with the working directory first', { field: 'session_id' });
    return rec;
  }

  private assess(dir: string): Promise<QualityReport> {
    return assessQuality(dir, {
      run: this.run,
      now: this.now(),
      audit: this.audit,
      ...(this.opts.secretScan ? { secretScan: this.opts.secretScan } : {}),
      ...(this.opts.maxFiles ? { maxFiles: this.opts.maxFiles } : {}),
    });
  }

  /**
   * The final assessment of a session; a session whose directory was deleted (or replaced by a file) still
   * ends: nothing is measured, and every dimension and the work section say why.
   */
  private async assessForEnd(rec: SessionRecord): Promise<QualityReport> {
    const dir = rec.workingDirectory;
    if (isDirectory(dir)) {
      try {
        return await this.assess(dir);
      } catch (err) {
        if (isDirectory(dir)) throw err; // gone while it was assessed: ended below like any other deleted directory
      }
    }
    const reason = `the working directory ${dir} no longer exists`;
    return unmeasuredQuality(
      {
        root: dir,
        name: rec.project,
        nameSource: 'directory',
        types: rec.projectTypes,
        indicators: [reason],
        git: { available: false, isRepo: false, toplevel: null, branch: rec.git.branch, head: null, error: reason },
        files: { listed: 0, source: 0, test: 0, docs: 0, listing: 'walk', truncated: false },
      },
      reason,
      this.now(),
    );
  }

  private cachedAudit(inner: AuditRunner): AuditRunner {
    return async (eco, ctx) => {
      const lock = eco === 'npm' ? 'package-lock.json' : 'requirements.txt';
      let sig = 'none';
      try {
        const st = fs.statSync(path.join(ctx.root, lock));
        sig = `${st.size}:${st.mtimeMs}`;
      } catch {
        // no lockfile: the key still distinguishes the directory
      }
      const key = `${eco}\0${ctx.root}\0${sig}`;
      const hit = this.auditCache.get(key);
      if (hit && this.now() - hit.at < AUDIT_CACHE_MS) return hit.outcome;
      const outcome = await inner(eco, ctx);
      this.auditCache.set(key, { at: this.now(), outcome });
      return outcome;
    };
  }

  private summary(rec: SessionRecord): SessionSummary {
    const end = rec.endedAt ? Date.parse(rec.endedAt) : this.now();
    return {
      id: rec.id,
      project: rec.project,
      workingDirectory: rec.workingDirectory,
      startedAt: rec.startedAt,
      endedAt: rec.endedAt,
      open: rec.endedAt === null,
      durationMinutes: Math.max(0, Math.round((end - Date.parse(rec.startedAt)) / 60000)),
      checkpoints: rec.checkpointCount,
      git: rec.git,
      startTotal: rec.startQuality?.total ?? null,
      lastTotal: rec.checkpoints.at(-1)?.total ?? rec.startQuality?.total ?? null,
    };
  }

  private previousHandoff(dir: string, markdownPath: string | null): PreviousHandoff | null {
    if (markdownPath === null) return null;
    const found = findLatestHandoff(this.opts.dataDir, dir);
    return found && found.markdownPath === markdownPath ? toPrevious(found) : null;
  }

  private contextUsage(dir: string, transcriptPath: string | undefined): ContextUsage {
    if (transcriptPath !== undefined) {
      if (typeof transcriptPath !== 'string' || !path.isAbsolute(transcriptPath) || transcriptPath.includes('\0')) {
        throw AppError.invalid('transcript_path', 'must be an absolute path');
      }
      return readContextUsage(transcriptPath);
    }
    const found = findTranscript(this.opts.claudeConfigDirs ?? [], dir);
    return found ? readContextUsage(found) : { measured: false, reason: 'no Claude Code transcript found for this directory' };
  }

  /**
   * Measures the report and keeps it: first everything but storage, then (for a
   * session's checkpoint or end) the reflection that keeps it, and only then
   * storage, so that the storage figures (the reflections row count among them)
   * include the reflection this report is. The reflection therefore keeps the
   * project's recommendations without the storage ones (those concern Session
   * Buddy's own database, not the project); the report has all of them.
   */
  private async buildReport(
    kind: CheckpointReport['kind'],
    rec: SessionRecord | null,
    quality: QualityReport,
    transcriptPath?: string,
  ): Promise<CheckpointReport> {
    const context = this.contextUsage(quality.project.root, transcriptPath);
    const nowMs = this.now();
    const [work, sessionMetrics] = await Promise.all([
      rec ? this.work(rec, quality) : Promise.resolve({ measured: false as const, reason: 'no open session for this directory' }),
      rec ? this.metrics(rec, nowMs) : Promise.resolve({ measured: false as const, reason: 'no open session for this directory' }),
    ]);
    const compact: Recommendation[] =
      context.measured && context.recommendCompact
        ? [{ priority: 'high', dimension: 'context', gain: null, text: `Compact the conversation: ${context.reason}` }]
        : [];
    const project = [...quality.recommendations, ...metricRecommendations(sessionMetrics)];
    const draft: ReportDraft = {
      kind,
      generatedAt: new Date(nowMs).toISOString(),
      session: rec ? this.summary(rec) : null,
      quality,
      delta: computeDelta(rec, quality),
      work,
      sessionMetrics,
      recommendations: sortRecommendations([...project, ...compact]),
      context,
    };
    const history = await this.remember(rec, draft);
    const storage = await this.storage();
    return {
      ...draft,
      storage,
      recommendations: sortRecommendations([...project, ...storageRecommendations(storage), ...compact]),
      history,
    };
  }

  /**
   * Keeps a session checkpoint (or end) as a reflection, then reads the project's
   * score history. Memory failures never fail the checkpoint: they are reported
   * as "not measured" with the reason.
   */
  private async remember(rec: SessionRecord | null, report: ReportDraft): Promise<CheckpointReport['history']> {
    const memory = this.opts.memory;
    if (!memory) return { measured: false, reason: 'the memory service is not connected to the session manager' };
    try {
      const saved = rec ? await memory.rememberCheckpoint(memoryEntry(rec, report)) : null;
      const history = rec
        ? await memory.qualityHistory(rec.project, rec.workingDirectory)
        : await memory.qualityHistory(report.quality.project.name, report.quality.project.root);
      return { measured: true, history, reflectionId: saved?.id ?? null };
    } catch (err) {
      this.opts.logger.warn('checkpoint memory failed', { err });
      return { measured: false, reason: `memory error: ${(err as Error).message}` };
    }
  }

  private async projectHistory(focus: SessionRecord | null): Promise<StatusResult['history']> {
    const memory = this.opts.memory;
    if (!memory) return { measured: false, reason: 'the memory service is not connected to the session manager' };
    if (focus === null) return { measured: false, reason: 'no session yet' };
    const { project, workingDirectory } = focus;
    try {
      return { measured: true, project, workingDirectory, history: await memory.qualityHistory(project, workingDirectory) };
    } catch (err) {
      return { measured: false, reason: `memory error: ${(err as Error).message}` };
    }
  }

  private async work(
    rec: SessionRecord,
    quality: QualityReport,
  ): Promise<Measured<{ commits: CommitInfo[]; uncommittedChanges: number | null; range: string }>> {
    const git = quality.project.git;
    if (!git.isRepo) return { measured: false, reason: git.error ?? 'not a git repository' };
    const opts = { cwd: rec.workingDirectory, timeoutMs: GIT_TIMEOUT_MS };
    const status = await this.run('git', ['--no-optional-locks', 'status', '--porcelain'], opts);
    const uncommitted = status.ok ? status.stdout.split('\n').filter((l) => l.trim() !== '').length : null;
    if (git.head === null) return { measured: true, commits: [], uncommittedChanges: uncommitted, range: 'no commits yet' };
    const range = rec.git.headAtStart ? `${rec.git.headAtStart}..HEAD` : 'HEAD';
    const log = await this.run('git', ['log', `-n${MAX_COMMITS}`, '--format=%h%x09%s', range, '--'], opts);
    if (!log.ok) return { measured: false, reason: `git log ${range} failed: ${firstLine(log)}` };
    const commits = log.stdout
      .split('\n')
      .filter((l) => l.includes('\t'))
      .map((l) => ({ sha: l.slice(0, l.indexOf('\t')), subject: l.slice(l.indexOf('\t') + 1) }));
    const label = rec.git.headAtStart ? `${rec.git.headAtStart.slice(0, 12)}..HEAD` : 'all commits (the repository had none at start)';
    return { measured: true, commits, uncommittedChanges: uncommitted, range: label };
  }

  private async metrics(rec: SessionRecord, nowMs: number): Promise<Measured<{ metrics: SessionSkillMetrics }>> {
    const provider = this.opts.sessionSkillMetrics;
    if (!provider) return { measured: false, reason: 'the skill store is not connected to the session manager' };
    if (this.pendingInvocations) {
      // A failed flush leaves the calls spooled for the next drain: the figures are then what is stored.
      await this.pendingInvocations().catch((err: unknown) => this.opts.logger.warn('recording pending invocations failed', { sessionId: rec.id, err }));
    }
    try {
      const metrics = await provider({
        sessionId: rec.id,
        project: rec.project,
        workingDirectory: rec.workingDirectory,
        startedAt: Date.parse(rec.startedAt),
        endedAt: nowMs,
      });
      if (metrics === null) return { measured: false, reason: 'the skill store cannot attribute invocations to this session' };
      return { measured: true, metrics };
    } catch (err) {
      this.opts.logger.warn('session skill metrics failed', { sessionId: rec.id, err });
      return { measured: false, reason: `skill store error: ${(err as Error).message}` };
    }
  }

  private async storage(): Promise<StorageSection> {
    const dataDir = measureDataDir(this.opts.dataDir);
    const provider = this.opts.storageStats;
    if (!provider) return { dataDir, database: { measured: false, reason: 'the store is not connected to the session manager' } };
    try {
      const stats = await provider();
      return { dataDir, database: { measured: true, stats, compaction: compactionAdvice(stats, this.thresholds) } };
    } catch (err) {
      return { dataDir, database: { measured: false, reason: `store error: ${(err as Error).message}` } };
    }
  }
}

export function resolveDirectory(workingDirectory: unknown): string {
  if (typeof workingDirectory !== 'string' || workingDirectory.trim() === '') {
    throw AppError.invalid('working_directory', 'must be a non-empty string');
  }
  if (workingDirectory.length > 4096) throw AppError.invalid('working_directory', 'at most 4096 characters');
  if (workingDirectory.includes('\0')) throw AppError.invalid('working_directory', 'must not contain NUL');
  if (!path.isAbsolute(workingDirectory)) throw AppError.invalid('working_directory', 'must be an absolute path');
  let real: string;
  try {
    real = fs.realpathSync(workingDirectory);
  } catch {
    throw AppError.invalid('working_directory', 'does not exist');
  }
  if (!fs.statSync(real).isDirectory()) throw AppError.invalid('working_directory', 'is not a directory');
  // Whole-system roots are not projects: their assessment would read the machine, not a project.
  if (real === path.parse(real).root) throw AppError.invalid('working_directory', 'is the file system root, not a project directory');
  if (isPseudoFsPath(real)) throw AppError.invalid('working_directory', 'is in /proc, /sys or /dev (not a project directory)');
  return real;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function snapshot(q: QualityReport): QualitySnapshot {
  return {
    at: q.assessedAt,
    total: q.total,
    maturity: q.maturity,
    maturityReason: q.maturityReason,
    measuredWeight: q.measuredWeight,
    dimensions: Object.fromEntries(q.dimensions.map((d) => [d.id, d.measured ? d.score : null])),
  };
}

function checkpointEntry(report: ReportDraft): SessionRecord['checkpoints'][number] {
  return {
    at: report.generatedAt,
    total: report.quality.total,
    dimensions: snapshot(report.quality).dimensions,
    commits: report.work.measured ? report.work.commits.length : null,
    invocations: report.sessionMetrics.measured ? report.sessionMetrics.metrics.invocations : null,
    findings: report.recommendations.slice(0, 5).map((r) => r.text),
  };
}

/** The checkpoint as the memory keeps it: scores, skill metrics and what changed since the previous checkpoint (or the start). */
function memoryEntry(rec: SessionRecord, report: ReportDraft): CheckpointMemoryEntry {
  const now = checkpointEntry(report);
  const prev = rec.checkpoints.at(-1) ?? null;
  const before =
    prev ??
    (rec.startQuality ? { at: rec.startQuality.at, total: rec.startQuality.total, dimensions: rec.startQuality.dimensions, commits: 0, invocations: 0 } : null);
  const dims: CheckpointMemoryEntry['changed']['dimensions'] = [];
  for (const [id, to] of Object.entries(now.dimensions ?? {})) {
    const from = before?.dimensions?.[id as keyof typeof now.dimensions];
    if (typeof to === 'number' && typeof from === 'number' && round1(to - from) !== 0) dims.push({ id, from, to, delta: round1(to - from) });
  }
  const minus = (a: number | null | undefined, b: number | null | undefined) =>
    a === null || a === undefined || b === null || b === undefined ? null : round1(a - b);
  return {
    kind: report.kind === 'end' ? 'end' : 'checkpoint',
    sessionId: rec.id,
    project: rec.project,
    workingDirectory: rec.workingDirectory,
    at: report.generatedAt,
    total: report.quality.total,
    maturity: report.quality.maturity,
    dimensions: now.dimensions as Record<string, number | null>,
    changed: {
      since: before?.at ?? rec.startedAt,
      total: minus(now.total, before?.total),
      dimensions: dims.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta)),
      newCommits: minus(now.commits, before?.commits),
      newInvocations: minus(now.invocations, before?.invocations),
    },
    skillMetrics: report.sessionMetrics.measured ? report.sessionMetrics.metrics : null,
    commits: report.work.measured ? report.work.commits : null,
    recommendations: report.recommendations.slice(0, 3).map((r) => r.text),
  };
}

function toPrevious(found: NonNullable<ReturnType<typeof findLatestHandoff>>): PreviousHandoff {
  return {
    markdownPath: found.markdownPath,
    jsonPath: found.jsonPath,
    endedAt: found.record.endedAt,
    sessionId: found.record.sessionId,
    quality: found.record.quality,
    openRecommendations: found.record.openRecommendations,
    markdown: found.markdown,
  };
}

function computeDelta(rec: SessionRecord | null, q: QualityReport): QualityDelta {
  const start = rec?.startQuality ?? null;
  const last = rec?.checkpoints.at(-1) ?? null;
  const diff = (a: number | null | undefined, b: number | null | undefined) =>
    a === null || a === undefined || b === null || b === undefined ? null : round1(a - b);
  return {
    sinceStart: diff(q.total, start?.total),
    sinceLastCheckpoint: diff(q.total, last?.total),
    dimensions: q.dimensions.map((d) => {
      const s = start ? (start.dimensions[d.id] ?? null) : null;
      const n = d.measured ? d.score : null;
      return { id: d.id, start: s, now: n, delta: diff(n, s) };
    }),
  };
}

/** ≥ 5 invocations with ≥ 20% failures → a recommendation naming the most failing skill. */
function metricRecommendations(m: Measured<{ metrics: SessionSkillMetrics }>): Recommendation[] {
  if (!m.measured) return [];
  const { invocations, failures, topSkills } = m.metrics;
  if (invocations < 5 || failures / invocations < 0.2) return [];
  const worst = [...topSkills].sort((a, b) => b.failures - a.failures)[0];
  return [
    {
      priority: 'medium',
      dimension: 'session',
      gain: null,
      text:
        `${failures} of ${invocations} skill invocations failed this session (${round1((100 * failures) / invocations)}%)` +
        (worst && worst.failures > 0 ? `; most failures: ${worst.skill} (${worst.failures})` : ''),
    },
  ];
}

function storageRecommendations(s: StorageSection): Recommendation[] {
  if (!s.database.measured) return [];
  return s.database.compaction.actions.map((a) => ({
    priority: a.action === 'compact' ? priorityForGain(2) : priorityForGain(0),
    dimension: 'storage' as const,
    gain: null,
    text:
      a.action === 'compact'
        ? `Shrink the store: ${a.reason}; archive old raw invocations (session-buddy archive), then run session-buddy compact`
        : `Reclaim free space with session-buddy compact (VACUUM + ANALYZE): ${a.reason}`,
  }));
}
