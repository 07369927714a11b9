/**
 * The in-memory collaborative-filtering index of one app.
 *
 * Built lazily from the `user_skill_stats` rollup on first use (its size
 * depends on users × skills, not on invocations), then kept current from the
 * bus: every 'invocations.recorded' event of this instance adds its
 * invocations. Writes made by other processes are picked up differently:
 * `changeToken` (for SQLite, `PRAGMA data_version`, which changes only when
 * another connection commits) tells the cache to rebuild on its next use.
 * Events relayed from other instances (with `meta.origin`) are ignored: if
 * those instances share this database the rebuild counts their writes, and
 * if not, their invocations are not part of this store's data either.
 *
 * Consistency: the rebuild reads the rollup in one synchronous query and
 * events are applied only to a built index, so an invocation is counted
 * either by the query or by its event, never both. This relies on the store
 * answering `userSkillStats` from the state at call time, as SqliteStore does.
 */
import { UserSkillIndex } from '../analytics/collaborative.js';
import type { EventBus, EventMeta, InvocationEvent } from '../events.js';
import { AppError } from '../errors.js';
import type { InvocationStore } from '../store/types.js';

export interface UserSkillCacheDeps {
  store: Pick<InvocationStore, 'userSkillStats'>;
  bus: EventBus;
  /** A value that changes when the data was changed from outside this process; rebuilt when it does. */
  changeToken?: () => number | bigint;
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
    if (meta?.origin !== undefined) return; // written by another instance (see above)
    const index = this.index;
    if (!index) return; // not built yet: the build will read these from the store
    for (const e of events) index.update({ user: e.user_hash, skill: e.skill_name, completed: e.completed, at: e.invoked_at });
  }
}
