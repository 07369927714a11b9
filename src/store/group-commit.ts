/**
 * Group commit: batches submitted while no write is running, or while one
 * is, are merged into the next single transaction, and each caller is
 * answered only after that commit. Concurrent single-invocation calls thus
 * share the cost of a commit without giving up durability or per-call
 * atomicity (if a merged transaction fails, each batch is retried alone, so
 * only the failing one fails).
 */
import type { NormalizedInvocation, WriteResult } from './types.js';

interface Pending {
  batch: NormalizedInvocation[];
  resolve: (r: WriteResult) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private running = false;

  constructor(private readonly write: (batch: NormalizedInvocation[]) => WriteResult | Promise<WriteResult>) {}

  submit(batch: NormalizedInvocation[]): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      await this.flush(group);
    }
    this.running = false;
  }

  private async flush(group: Pending[]): Promise<void> {
    if (group.length > 1) {
      try {
        const result = await this.write(group.flatMap((g) => g.batch));
        let offset = 0;
        for (const g of group) {
          const ids = result.ids.slice(offset, offset + g.batch.length);
          const inserted = g.batch.reduce((n, inv, i) => n + (ids[i] === inv.id ? 1 : 0), 0);
          offset += g.batch.length;
          g.resolve({ ids, inserted, duplicates: g.batch.length - inserted });
        }
        return;
      } catch {
        // Fall through: write each batch on its own so only the failing one fails.
      }
    }
    for (const g of group) {
      try {
        g.resolve(await this.write(g.batch));
      } catch (err) {
        g.reject(err);
      }
    }
  }
}
