/**
 * Validates and records invocations. Every entry point (MCP tools, HTTP
 * ingest, CLI, hooks, importers) goes through here, so validation, hashing
 * and event publication happen in one place.
 */
import { AppError } from '../errors.js';
import type { EventBus, InvocationEvent } from '../events.js';
import type { UserHasher } from '../store/salt.js';
import type { AttributedUsage } from '../store/skill-cost-types.js';
import type { InvocationStore, InvocationsWithCosts, WriteResult } from '../store/types.js';
import { parseInput } from '../validation.js';
import type { InvocationInput, NormalizedInvocation } from './invocation-input.js';
import { MAX_CLOCK_SKEW_MS, MAX_METADATA_DEPTH, MIN_INVOKED_AT, nestsDeeperThan } from './invocation-rules.js';
import { CanonicalInvocationCheck } from './fast-validate.js';
import type { UlidFactory } from './ulid.js';

const MAX_BATCH = 250_000;

type InvocationSchema = typeof import('./invocation-input.js').invocationInputSchema;
const loadInvocationSchema = async (): Promise<InvocationSchema> => (await import('./invocation-input.js')).invocationInputSchema;

export interface TrackerDeps {
  store: InvocationStore;
  hashUser: UserHasher;
  newId: UlidFactory;
  bus: EventBus;
  maxMetadataBytes: number;
  now?: () => number;
  /**
   * An invocation recorded more than this many ms after invoked_at is
   * backfill (history): stored and counted in the stored backfilled totals,
   * published with `meta.backfill` instead of as live traffic. Default 5 minutes.
   */
  backfillAfterMs?: number;
}

const DEFAULT_BACKFILL_AFTER_MS = 5 * 60_000;

export class Tracker {
  private readonly now: () => number;
  private readonly backfillAfterMs: number;
  private readonly canonical = new CanonicalInvocationCheck();

  constructor(private readonly deps: TrackerDeps) {
    this.now = deps.now ?? Date.now;
    this.backfillAfterMs = deps.backfillAfterMs ?? DEFAULT_BACKFILL_AFTER_MS;
  }

  /** Records one invocation and returns its id. */
  async track(input: unknown): Promise<{ id: string; duplicate: boolean }> {
    const result = await this.trackBatch([input], '');
    return { id: result.ids[0]!, duplicate: result.duplicates === 1 };
  }

  /**
   * Records a batch atomically: every input is validated first, and one
   * invalid input rejects the whole batch (naming its index and field).
   */
  async trackBatch(inputs: readonly unknown[], fieldPrefix = 'invocations'): Promise<WriteResult> {
    const batch = await this.normalizeBatch(inputs, fieldPrefix);
    const result = await this.deps.store.record(batch);
    if (result.inserted > 0 && this.deps.bus.listens('invocations.recorded')) this.publish(batch, result);
    return result;
  }

  /**
   * trackBatch, with the cost rows of the batch's API calls stored in the same transaction
   * (InvocationStore.recordWithCosts): after a failure or an interrupt at any moment, either
   * both are stored or neither.
   */
  async trackBatchWithCosts(inputs: readonly unknown[], costs: readonly AttributedUsage[]): Promise<InvocationsWithCosts> {
    const batch = await this.normalizeBatch(inputs, 'invocations');
    const result = await this.deps.store.recordWithCosts(batch, costs);
    if (result.invocations.inserted > 0 && this.deps.bus.listens('invocations.recorded')) this.publish(batch, result.invocations);
    return result;
  }

  private async normalizeBatch(inputs: readonly unknown[], fieldPrefix: string): Promise<NormalizedInvocation[]> {
    if (inputs.length > MAX_BATCH) throw AppError.invalid(fieldPrefix || 'invocations', `must hold at most ${MAX_BATCH} items`);
    const now = this.now();
    const batch: NormalizedInvocation[] = new Array(inputs.length);
    // Inputs already in canonical form (importers, hooks) skip the zod schema, which is loaded (with
    // zod) only for the first input that needs it: a bulk import never pays for loading it.
    let schema: InvocationSchema | undefined;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i];
      if (this.canonical.accepts(input)) batch[i] = this.normalize(input, fieldPrefix, i, now);
      else {
        schema ??= await loadInvocationSchema();
        batch[i] = this.normalize(parseInput(schema, input, fieldPrefix ? `${fieldPrefix}.${i}` : ''), fieldPrefix, i, now);
      }
    }
    return batch;
  }

  /**
   * `v`: a valid input (canonical, or as the schema returned it), input `i` of the batch. Field names
   * (`invocations.3.metadata`) are only built for an error: most batches have none.
   */
  private normalize(v: InvocationInput, fieldPrefix: string, i: number, now: number): NormalizedInvocation {
    const invokedAt = v.invoked_at === undefined ? now : typeof v.invoked_at === 'number' ? v.invoked_at : Date.parse(v.invoked_at);
    if (invokedAt < MIN_INVOKED_AT) throw AppError.invalid(fieldName(fieldPrefix, i, 'invoked_at'), 'must not be before 2000-01-01');
    if (invokedAt > now + MAX_CLOCK_SKEW_MS) {
      throw AppError.invalid(fieldName(fieldPrefix, i, 'invoked_at'), 'must not be more than 5 minutes in the future');
    }
    let metadata: string | null = null;
    if (v.metadata != null) {
      if (nestsDeeperThan(v.metadata, MAX_METADATA_DEPTH)) {
        throw AppError.invalid(fieldName(fieldPrefix, i, 'metadata'), `must not nest deeper than ${MAX_METADATA_DEPTH} levels`);
      }
      try {
        metadata = JSON.stringify(v.metadata);
      } catch (err) {
        throw AppError.invalid(fieldName(fieldPrefix, i, 'metadata'), `must be plain JSON (${(err as Error).message})`);
      }
      // UTF-8 takes at most 3 bytes per UTF-16 unit: only a long string needs counting.
      if (metadata.length * 3 > this.deps.maxMetadataBytes && Buffer.byteLength(metadata) > this.deps.maxMetadataBytes) {
        throw AppError.invalid(fieldName(fieldPrefix, i, 'metadata'), `must serialise to at most ${this.deps.maxMetadataBytes} bytes of JSON`);
      }
    }
    return {
      id: this.deps.newId(now),
      skillName: v.skill_name,
      userHash: this.deps.hashUser(v.user_id),
      sessionKey: v.session_id,
      workflowPhase: v.workflow_phase,
      completed: v.completed,
      durationMs: v.duration_ms,
      // A typed activation has no duration; a hook or OTLP row says when it could not measure one.
      durationKnown: v.trigger !== 'typed' && v.metadata?.duration_source !== 'unknown',
      errorType: v.error_type ?? null,
      invokedAt,
      project: v.project ?? null,
      agent: v.agent ?? null,
      metadata,
      dedupeKey: v.dedupe_key ?? null,
      trigger: v.trigger ?? null,
      slashAfterMiss: v.slash_after_miss ?? null,
      backfill: now - invokedAt > this.backfillAfterMs,
    };
  }

  private publish(batch: NormalizedInvocation[], result: WriteResult): void {
    const live: InvocationEvent[] = [];
    const backfill: InvocationEvent[] = [];
    for (let i = 0; i < batch.length; i++) {
      const inv = batch[i]!;
      if (result.ids[i] !== inv.id) continue; // duplicate: nothing new happened
      (inv.backfill ? backfill : live).push({
        id: inv.id,
        skill_name: inv.skillName,
        session_id: inv.sessionKey,
        user_hash: inv.userHash,
        workflow_phase: inv.workflowPhase,
        completed: inv.completed,
        duration_ms: inv.durationMs,
        duration_known: inv.durationKnown !== false,
        error_type: inv.errorType,
        invoked_at: inv.invokedAt,
        project: inv.project,
        agent: inv.agent,
      });
    }
    if (live.length > 0) this.deps.bus.emit('invocations.recorded', live);
    if (backfill.length > 0) this.deps.bus.emit('invocations.recorded', backfill, { backfill: true });
  }
}

/** The name of field `name` of input `i` in errors: `invocations.3.name`, or `name` alone without a prefix (a single input). */
function fieldName(fieldPrefix: string, i: number, name: string): string {
  return fieldPrefix ? `${fieldPrefix}.${i}.${name}` : name;
}
