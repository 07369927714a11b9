/**
 * Per-user access tokens for a shared (team) server. `session-buddy token
 * create --user ID [--admin]` issues one; the caller presenting it is that
 * user (answered about itself only), or an admin (team-wide views) with
 * --admin. The token is shown once: the store keeps its SHA-256 (tokens are
 * 32 random bytes, so an unsalted hash is enough) and the salted hash of the
 * user id, never the id itself.
 *
 * Lookups are cached for `cacheMs` (default 5 s, unknown tokens too), so a
 * revocation made by another process takes effect within that time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { CallerIdentity } from '../mcp/caller-identity.js';
import type { ApiTokenRecord, ApiTokenStore } from '../store/api-token-types.js';
import type { UserHasher } from '../store/salt.js';

const USER_TOKEN_PREFIX = 'sbu_';
const MAX_CACHED = 10_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface UserTokensDeps {
  store: ApiTokenStore;
  hashUser: UserHasher;
  now: () => number;
  cacheMs?: number;
}

export class UserTokens {
  private readonly cache = new Map<string, { caller: CallerIdentity | null; until: number }>();

  constructor(private readonly deps: UserTokensDeps) {}

  /** Issues a token for `userId`; the returned secret is not stored and cannot be shown again. */
  async create(input: { userId: string; admin: boolean; label?: string }): Promise<{ token: string; record: ApiTokenRecord }> {
    const userId = input.userId.trim();
    if (userId === '' || userId.length > 256) throw AppError.invalid('user', 'must be 1 to 256 characters');
    const token = USER_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.deps.store.create({
      token_hash: hashToken(token),
      user_hash: this.deps.hashUser(userId),
      role: input.admin ? 'admin' : 'user',
      label: input.label?.trim() || null,
      created_at: this.deps.now(),
    });
    return { token, record };
  }

  list(): Promise<ApiTokenRecord[]> {
    return this.deps.store.list();
  }

  async revoke(id: number): Promise<void> {
    if (!Number.isInteger(id) || id < 1) throw AppError.invalid('id', 'must be a positive integer (see `token list`)');
    if (!(await this.deps.store.revoke(id, this.deps.now()))) throw new AppError('NOT_FOUND', `no active token with id ${id}`);
    this.cache.clear();
  }

  /** The identity of a presented per-user token; null when unknown or revoked. */
  readonly verify = async (token: string): Promise<CallerIdentity | null> => {
    if (!token.startsWith(USER_TOKEN_PREFIX) || token.length > 200) return null;
    const key = hashToken(token);
    const t = this.deps.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > t) return hit.caller;
    const record = await this.deps.store.findActive(key);
    const caller: CallerIdentity | null = record ? { role: record.role, userHash: record.user_hash, key: `token:${record.id}` } : null;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { caller, until: t + (this.deps.cacheMs ?? 5000) });
    return caller;
  };
}
