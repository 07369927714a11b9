/**
 * The `seed-demo` run: the demo invocations (demo-data.ts) written batch by
 * batch, each batch with the synthetic cost rows of its Skill invocations in
 * the same transaction (Tracker.trackBatchWithCosts), so that an interrupt or
 * a failure at any moment leaves whole batches, each with its costs, and
 * nothing of the batch in flight. The invocations and the cost rows are keyed
 * (`demo:<seed>:<n>`, `demo-<seed>-<k>-…`): a run again with the same seed
 * skips what is stored and writes the rest.
 */
import type { AttributedUsage } from '../store/skill-cost-types.js';
import { type DemoOptions, generateDemoInvocations } from './demo-data.js';
import type { InvocationInput } from './invocation-input.js';
import type { Tracker } from './tracker.js';

/** Invocations per batch (one transaction each). */
const DEMO_BATCH = 200_000;

export interface DemoSeedDeps {
  tracker: Pick<Tracker, 'trackBatchWithCosts'>;
  /** The cost rows of a batch (createDemoCostGenerator: one generator for the whole run). */
  costsOf: (batch: readonly InvocationInput[]) => AttributedUsage[];
}

export interface DemoSeedRun {
  /** Invocations per batch (default 200 000). */
  batchSize?: number;
  /** After each stored batch: the invocations written so far (new or already present). */
  onBatch?: (done: number) => void;
  /** Asked before each batch: true stops the run there (Ctrl-C). */
  stopRequested?: () => boolean;
}

export interface DemoSeedResult {
  /** Invocations written (new or already present), in whole batches. */
  done: number;
  /** Of `done`, those new. */
  inserted: number;
  /** True when stopRequested ended the run before all of them. */
  stopped: boolean;
}

export async function seedDemo(deps: DemoSeedDeps, opts: DemoOptions, run: DemoSeedRun = {}): Promise<DemoSeedResult> {
  let done = 0;
  let inserted = 0;
  for (const batch of generateDemoInvocations({ ...opts, dedupeKeys: true }, run.batchSize ?? DEMO_BATCH)) {
    // A turn of the event loop first: a signal's listener (Ctrl-C) runs only then, and a SQLite write
    // resolves without one.
    await new Promise((resolve) => setImmediate(resolve));
    if (run.stopRequested?.()) return { done, inserted, stopped: true };
    inserted += (await deps.tracker.trackBatchWithCosts(batch, deps.costsOf(batch))).invocations.inserted;
    done += batch.length;
    run.onBatch?.(done);
  }
  return { done, inserted, stopped: false };
}
