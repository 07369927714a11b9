/**
 * Who is calling the MCP tools, as established by the transport: over HTTP
 * from the presented token (server/access-policy.ts), over stdio the local
 * user. Tools that answer about one user go through `subjectUserHash`, so a
 * caller with a per-user token is answered about itself only.
 */
import { AppError } from '../errors.js';
import type { UserHasher } from '../store/salt.js';

export interface CallerIdentity {
  /** `admin`: team-wide views, may ask about any user; `user`: answered about itself only. */
  role: 'admin' | 'user';
  /** Salted hash of the caller's user id (per-user tokens); null: no user bound (installation token, local caller). */
  userHash: string | null;
  /** Stable key of the credential (binds MCP sessions and per-client limits), never the secret itself. */
  key: string;
}

/** The local single user (stdio, or loopback without a per-user token): admin, no user binding. */
export const LOCAL_ADMIN: CallerIdentity = Object.freeze({ role: 'admin', userHash: null, key: 'local' });

/**
 * The hashed user a per-user question is about. An admin (or the local user)
 * may name any user; a caller bound to a user may only name itself: a
 * `user_id` that hashes to someone else is refused with FORBIDDEN, and an
 * omitted one means the caller.
 */
export function subjectUserHash(caller: CallerIdentity, hashUser: UserHasher, userId: string | undefined, field = 'user_id'): string | null {
  if (userId === undefined) return caller.role === 'admin' ? null : caller.userHash;
  return permittedHash(caller, hashUser(userId), field, 'ask about');
}

/**
 * The hashed user a write is for. An admin (or the local user) may record for
 * anyone; a caller bound to a user is refused with FORBIDDEN for any other
 * `user_id`, so nothing is written under someone else's id.
 */
export function ownUserHash(caller: CallerIdentity, hashUser: UserHasher, userId: string, field = 'user_id'): string {
  return permittedHash(caller, hashUser(userId), field, 'record for');
}

/** `hash` when the caller may name that user (an admin, or the user itself); else FORBIDDEN naming `field`. */
function permittedHash(caller: CallerIdentity, hash: string, field: string, action: string): string {
  if (caller.role !== 'admin' && hash !== caller.userHash) {
    throw new AppError('FORBIDDEN', `${field}: a per-user token may only ${action} its own user`, {
      field,
      rule: 'must be the user the access token belongs to',
    });
  }
  return hash;
}
