/**
 * Output schemas of the session-lifecycle tools (the wire form built by
 * src/session/report-json.ts).
 */
import { z } from 'zod';
import { NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE } from '../../validation.js';

const nullableNumber = z.number().nullable();

const recommendationSchema = z.object({
  priority: z.enum(['high', 'medium', 'low']),
  text: z.string(),
  dimension: z.string(),
  gain: nullableNumber.describe('Total-score points gained if fixed; null when unknown'),
});

const dimensionSchema = z.object({
  id: z.string(),
  label: z.string(),
  weight: z.number(),
  score: z.number().describe('0..100 (0 when not measured)'),
  measured: z.boolean(),
  weighted: nullableNumber.describe('weight × score / 100'),
  evidence: z.array(z.string()).describe('Measured facts, or "not measured: <why>"'),
  checks: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      max_points: z.number(),
      points: nullableNumber.describe('null = not measured'),
      evidence: z.string(),
    }),
  ),
});

const maturityReason = z
  .string()
  .nullable()
  .describe('Why the maturity is below what the total alone gives (committed credentials); null when it is not capped');

const qualitySchema = z.object({
  version: z.literal(2),
  total: nullableNumber.describe('Quality Score V2, 0..100; null when nothing could be measured'),
  maturity: z.string().nullable(),
  maturity_reason: maturityReason,
  measured_weight: z.number().describe('Weight (of 100) of the dimensions that could be measured'),
  assessed_at: z.string(),
  dimensions: z.array(dimensionSchema),
});

const projectSchema = z.object({
  root: z.string(),
  name: z.string(),
  name_source: z.string(),
  types: z.array(z.string()),
  indicators: z.array(z.string()),
  git: z.object({
    available: z.boolean(),
    is_repo: z.boolean(),
    toplevel: z.string().nullable(),
    branch: z.string().nullable(),
    head: z.string().nullable(),
    error: z.string().nullable(),
  }),
  files: z.object({
    listed: z.number(),
    source: z.number(),
    test: z.number(),
    docs: z.number(),
    listing: z.string(),
    truncated: z.boolean(),
  }),
});

/** A project's Quality Score history in one directory from its stored checkpoint reflections. */
const historyFields = {
  points: z.array(z.object({ at: z.string(), total: nullableNumber })).describe('Checkpoints, oldest first (the newest 20)'),
  change: nullableNumber.describe('Last minus first measured total'),
  direction: z.enum(['up', 'down', 'flat', 'unknown']),
  sparkline: z.string(),
  most_moved: z.object({ id: z.string(), from: z.number(), to: z.number(), delta: z.number() }).nullable().describe('The dimension that moved most'),
  summary: z.string(),
};

const sessionSchema = z.object({
  id: z.string(),
  project: z.string(),
  working_directory: z.string(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  open: z.boolean(),
  duration_minutes: z.number(),
  checkpoints: z.number(),
  git: z.object({ is_repo: z.boolean(), branch: z.string().nullable(), head_at_start: z.string().nullable() }),
  start_total: nullableNumber,
  last_total: nullableNumber,
});

const notMeasured = z.object({ measured: z.literal(false), reason: z.string() });

const storageSchema = z.object({
  data_dir: z.object({
    path: z.string(),
    exists: z.boolean(),
    total_bytes: z.number(),
    file_count: z.number(),
    by_entry: z.array(z.object({ path: z.string(), bytes: z.number() })),
    truncated: z.boolean(),
  }),
  database: z.discriminatedUnion('measured', [
    z.object({
      measured: z.literal(true),
      page_size: z.number(),
      page_count: z.number(),
      freelist_count: z.number(),
      wal_bytes: nullableNumber,
      rows: z.record(z.string(), z.number()),
      database_bytes: z.number(),
      free_bytes: z.number(),
      free_ratio: z.number(),
      compaction: z.object({
        recommended: z.boolean(),
        actions: z.array(z.object({ action: z.enum(['compact', 'vacuum']), reason: z.string() })),
        summary: z.string(),
        thresholds: z.object({
          compact_threshold_bytes: z.number(),
          vacuum_free_ratio: z.number(),
          vacuum_min_free_bytes: z.number(),
        }),
      }),
    }),
    notMeasured,
  ]),
});

export const checkpointShape = {
  kind: z.enum(['checkpoint', 'end', 'adhoc']),
  generated_at: z.string(),
  session: sessionSchema.nullable(),
  project: projectSchema,
  quality: qualitySchema,
  delta: z.object({
    since_start: nullableNumber,
    since_last_checkpoint: nullableNumber,
    dimensions: z.array(z.object({ id: z.string(), start: nullableNumber, now: nullableNumber, delta: nullableNumber })),
  }),
  work: z.discriminatedUnion('measured', [
    z.object({
      measured: z.literal(true),
      range: z.string(),
      commits: z.array(z.object({ sha: z.string(), subject: z.string() })),
      uncommitted_changes: nullableNumber,
    }),
    notMeasured,
  ]),
  session_metrics: z.discriminatedUnion('measured', [
    z.object({
      measured: z.literal(true),
      invocations: z.number(),
      successes: z.number(),
      failures: z.number(),
      distinct_skills: z.number(),
      top_skills: z.array(z.object({ skill: z.string(), invocations: z.number(), failures: z.number(), p50_duration_ms: nullableNumber })),
      scope: z.string().nullable(),
    }),
    notMeasured,
  ]),
  storage: storageSchema,
  recommendations: z.array(recommendationSchema),
  context: z.discriminatedUnion('measured', [
    z.object({
      measured: z.literal(true),
      transcript: z.string(),
      used_tokens: z.number().int().describe('Input (incl. cache) + output tokens of the last assistant message'),
      window_tokens: z.number().int(),
      ratio: z.number().describe('used / window'),
      model: z.string().nullable(),
      at: z.string().nullable(),
      recommend_compact: z.boolean().describe('true at or above 75% of the window'),
      advice: z.string(),
    }),
    notMeasured,
  ]),
  history: z.discriminatedUnion('measured', [
    z.object({
      measured: z.literal(true),
      reflection_id: z.number().int().nullable().describe('The reflection this checkpoint was stored as (null for an ad-hoc report)'),
      ...historyFields,
    }),
    notMeasured,
  ]),
  markdown: z.string().describe('The same report rendered as Markdown'),
};

export const startShape = {
  session: sessionSchema,
  resumed: z.boolean().describe('true when an open session for this directory was resumed'),
  project: projectSchema,
  quality: z
    .object({
      at: z.string(),
      total: nullableNumber,
      maturity: z.string().nullable(),
      maturity_reason: maturityReason,
      measured_weight: z.number(),
      dimensions: z.record(z.string(), nullableNumber),
    })
    .nullable(),
  recommendations: z.array(recommendationSchema),
  previous_handoff: z
    .object({
      markdown_path: z.string(),
      json_path: z.string(),
      session_id: z.string(),
      ended_at: z.string(),
      quality: z.object({ start: nullableNumber, end: nullableNumber, delta: nullableNumber, maturity: z.string().nullable() }),
      open_recommendations: z.array(recommendationSchema),
      markdown: z.string().nullable(),
    })
    .nullable(),
  markdown: z.string(),
};

export const statusShape = {
  generated_at: z.string(),
  history: z.discriminatedUnion('measured', [
    z.object({
      measured: z.literal(true),
      project: z.string(),
      working_directory: z.string().describe('The directory whose history this is'),
      ...historyFields,
    }),
    notMeasured,
  ]),
  current: sessionSchema.nullable(),
  open_sessions: z.array(sessionSchema),
  recent_sessions: z.array(sessionSchema),
  server: z.record(z.string(), z.unknown()),
  storage: storageSchema,
  reflections: z
    .object({
      total: z.number(),
      projects: z.number(),
      oldest: z.string().nullable(),
      newest: z.string().nullable(),
      by_kind: z.object({ note: z.number(), checkpoint: z.number(), precompact: z.number() }),
      near_duplicates: z.number(),
      bytes: z.number(),
    })
    .nullable(),
  markdown: z.string(),
};

export const reflectionSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['note', 'checkpoint', 'precompact']).describe('note: stored by store_reflection; checkpoint / precompact: written by Session Buddy'),
  content: z.string(),
  tags: z.array(z.string()),
  files: z.array(z.string()).describe('File paths the reflection mentions'),
  project: z.string().nullable(),
  duplicate_of: z.number().int().nullable().describe('An earlier reflection this one nearly repeats'),
  created_at: z.string().describe('ISO 8601'),
});

/** Absolute directory path accepted by start/checkpoint. */
export const workingDirectoryField = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  .regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE)
  .describe('Absolute path of the project directory');

export const sessionIdField = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE);
