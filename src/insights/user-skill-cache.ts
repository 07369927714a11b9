/**
 * The in-memory collaborative-filtering index of one app.
 *
 * Built lazily from the `user_skill_stats` rollup on first use (its size
 * depends on users × skills, not on invocations), then kept current from the
 * bus: every 'invocations.recorded' event of this instance adds its
 * invocations. `changeToken` tells the cache to rebuild on its next use when
 * its value moves:
 * - SQLite: `PRAGMA data_version`, which changes only when another connection
 *   (another process, e.g. the CLI) commits. Events relayed from other
 *   instances (with `meta.origin`) are ignored: those instances have stores
 *   of their own, whose invocations are not part of this store's data.
 * - Shared store (PostgreSQL, `applyRemoteEvents`): every instance writes the
 *   same rollup, so relayed events are applied like local ones, and a
 *   time-based token rebuilds the index periodically, which also counts
 *   writers that publish no events (other instances without fan-out, the CLI).
 *
 * Consistency: events are applied only to a built index, and the rebuild
 * replaces it wholesale, so an invocation is never counted twice. On SQLite
 * the rebuild reads the rollup in one synchronous query, so every invocation
 * is counted either by the query or by its event. On PostgreSQL the read is
 * asynchronous: an invocation whose event arrives while the rows are being
 * read may be missed until the next periodic rebuild (approximate for at most
 * one rebuild interval, never over-counted).
 */
import { UserSkillIndex } from '../analytics/collaborative.js';
import type { EventBus, EventMeta, InvocationEvent } from '../events.js';
import { AppError } from '../errors.js';
import type { RollupReads } from '../store/types.js';

export interface UserSkillCacheDeps {
  store: Pick<RollupReads, 'userSkillStats'>;
  bus: EventBus;
  /** A value that changes when the data was changed from outside this process; rebuilt when it does. */
  changeToken?: () => number | bigint;
  /** Apply events relayed from other instances (they write to this same store). Default false. */
  applyRemoteEvents?: boolean;
}

export class UserSkillCache {
  private index: UserSkillIndex | null = null;
  private loading: Promise<UserSkillIndex> | null = null;
  private token: number | bigint | undefined;
  private disposed = false;
  private readonly unsubscribe: () => void;
  /** Number of builds so far (for tests and diagnostics). */
  builds = 0;

  constructor(private readonly deps: UserSkillCacheDeps) {
    this.unsubscribe = deps.bus.on('invocations.recorded', (events, meta) => this.apply(events, meta));
  }

  /** The current index, built on first use and rebuilt after outside changes. */
  async get(): Promise<UserSkillIndex> {
    if (this.disposed) throw new AppError('INTERNAL', 'the recommendation index was disposed');
    const token = this.deps.changeToken?.();
    if (this.index && token === this.token) return this.index;
    this.loading ??= this.build(token).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Forgets the index; the next `get` rebuilds it. */
  invalidate(): void {
    this.index = null;
  }

  dispose(): void {
    this.disposed = true;
    this.unsubscribe();
    this.index = null;
  }

  private async build(token: number | bigint | undefined): Promise<UserSkillIndex> {
    this.index = null; // events arriving while the rows are read must not go to a stale index
    const rows = await this.deps.store.userSkillStats();
    const index = new UserSkillIndex();
    for (const row of rows) index.add(row);
    this.builds += 1;
    if (!this.disposed) {
      this.index = index;
      this.token = token;
    }
    return index;
  }

  private apply(events: readonly InvocationEvent[], meta: EventMeta | undefined): void {
    if (meta?.origin !== undefined && !this.deps.applyRemoteEvents) return; // another instance's store (see above)
    const index = this.index;
    if (!index) return; // not built yet: the build will read these from the store
    for (const e of events) index.update({ user: e.user_hash, skill: e.skill_name, completed: e.completed, at: e.invoked_at });
  }
}
