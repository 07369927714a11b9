/** Types shared by the session manager, its reports and the handoff files. */
import type { QualityHistory } from '../analytics/quality-history.js';
import type { ContextUsage } from './context-usage.js';
import type { ProjectInfo, ProjectType } from './project-detect.js';
import type { QualityReport } from './quality/score.js';
import type { DimensionId, Recommendation } from './quality/types.js';
import type {
  DatabaseStorageStats,
  SessionSkillMetrics,
  SessionSkillMetricsProvider,
  SessionWindow,
  StorageStatsProvider,
} from '../store/session-stats-types.js';
import type { CompactionAdvice, DataDirUsage } from './storage.js';

export type { SessionSkillMetrics, SessionSkillMetricsProvider, SessionWindow, StorageStatsProvider };

export type ServerHealthProvider = () => Promise<Record<string, unknown>>;

export type Measured<T> = ({ measured: true } & T) | { measured: false; reason: string };

export interface QualitySnapshot {
  at: string;
  total: number | null;
  maturity: string | null;
  /** Why the maturity is capped (see QualityReport); absent in records written before it was kept. */
  maturityReason?: string | null;
  measuredWeight: number;
  dimensions: Partial<Record<DimensionId, number | null>>;
}

interface CheckpointEntry {
  at: string;
  total: number | null;
  /** Measured dimension scores at this checkpoint (absent in records written before they were kept). */
  dimensions?: Partial<Record<DimensionId, number | null>>;
  /** Commits made since the session started, as of this checkpoint (null: not measured). */
  commits?: number | null;
  /** Skill invocations of the session, as of this checkpoint (null: not measured). */
  invocations?: number | null;
  /** The checkpoint's top recommendations (read by the PreCompact hook, see capture/saved-context.ts). */
  findings?: string[];
}

/** What a checkpoint (or the end of a session) hands to the memory service to keep as a reflection. */
export interface CheckpointMemoryEntry {
  kind: 'checkpoint' | 'end';
  sessionId: string;
  project: string;
  workingDirectory: string;
  at: string;
  total: number | null;
  maturity: string | null;
  dimensions: Record<string, number | null>;
  /** Change since the previous checkpoint of the session (the session start for the first one). */
  changed: {
    since: string;
    total: number | null;
    dimensions: { id: string; from: number; to: number; delta: number }[];
    newCommits: number | null;
    newInvocations: number | null;
  };
  skillMetrics: SessionSkillMetrics | null;
  commits: { sha: string; subject: string }[] | null;
  recommendations: string[];
}

/** The memory behind checkpoints: keeps each checkpoint as a reflection and answers the project's score history (per directory). */
export interface SessionMemory {
  rememberCheckpoint(entry: CheckpointMemoryEntry): Promise<{ id: number }>;
  qualityHistory(project: string, directory: string): Promise<QualityHistory>;
}

export interface SessionRecord {
  id: string;
  project: string;
  workingDirectory: string;
  projectTypes: ProjectType[];
  startedAt: string;
  endedAt: string | null;
  git: { isRepo: boolean; branch: string | null; headAtStart: string | null };
  startQuality: QualitySnapshot | null;
  /** Most recent last; capped. */
  checkpoints: CheckpointEntry[];
  checkpointCount: number;
  /** Handoff markdown found when the session started. */
  previousHandoff: string | null;
  /** Handoff markdown written when the session ended. */
  handoffPath: string | null;
}

export interface SessionSummary {
  id: string;
  project: string;
  workingDirectory: string;
  startedAt: string;
  endedAt: string | null;
  open: boolean;
  durationMinutes: number;
  checkpoints: number;
  git: { isRepo: boolean; branch: string | null; headAtStart: string | null };
  startTotal: number | null;
  lastTotal: number | null;
}

export interface CommitInfo {
  sha: string;
  subject: string;
}

export interface StorageSection {
  dataDir: DataDirUsage;
  database: Measured<{ stats: DatabaseStorageStats; compaction: CompactionAdvice }>;
}

export interface QualityDelta {
  sinceStart: number | null;
  sinceLastCheckpoint: number | null;
  dimensions: { id: DimensionId; start: number | null; now: number | null; delta: number | null }[];
}

export interface CheckpointReport {
  kind: 'checkpoint' | 'end' | 'adhoc';
  generatedAt: string;
  /** null for an ad-hoc report of a directory without an open session. */
  session: SessionSummary | null;
  quality: QualityReport;
  delta: QualityDelta;
  work: Measured<{ commits: CommitInfo[]; uncommittedChanges: number | null; range: string }>;
  sessionMetrics: Measured<{ metrics: SessionSkillMetrics }>;
  storage: StorageSection;
  recommendations: Recommendation[];
  /** How full the agent's context window is, from its transcript (see context-usage.ts). */
  context: ContextUsage;
  /** The project's Quality Score history in this directory from stored checkpoint reflections (this one included); `reflectionId` is this checkpoint's record. */
  history: Measured<{ history: QualityHistory; reflectionId: number | null }>;
}

export interface PreviousHandoff {
  markdownPath: string;
  jsonPath: string;
  endedAt: string;
  sessionId: string;
  quality: { start: number | null; end: number | null; delta: number | null; maturity: string | null };
  openRecommendations: Recommendation[];
  markdown: string | null;
}

export interface StartResult {
  session: SessionSummary;
  /** true when an open session for the same directory was returned instead of a new one. */
  resumed: boolean;
  project: ProjectInfo;
  quality: QualitySnapshot | null;
  /** Top recommendations at start (from the baseline quality report). */
  recommendations: Recommendation[];
  previousHandoff: PreviousHandoff | null;
}

export interface EndResult {
  report: CheckpointReport;
  handoff: { markdownPath: string; jsonPath: string };
}

export interface StatusResult {
  generatedAt: string;
  current: SessionSummary | null;
  openSessions: SessionSummary[];
  recentSessions: SessionSummary[];
  server: Record<string, unknown>;
  storage: StorageSection;
  /** Score history of the current (else most recent) session's project, in that session's directory. */
  history: Measured<{ project: string; workingDirectory: string; history: QualityHistory }>;
}
