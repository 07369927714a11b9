/**
 * Per-user access tokens (see server/user-tokens.ts for how they are issued
 * and checked). The store keeps only the SHA-256 of each token and the salted
 * hash of the user it speaks for.
 */
type TokenRole = 'admin' | 'user';

export interface ApiTokenRecord {
  id: number;
  user_hash: string;
  role: TokenRole;
  label: string | null;
  /** Epoch milliseconds. */
  created_at: number;
  revoked_at: number | null;
}

export interface NewApiToken {
  token_hash: string;
  user_hash: string;
  role: TokenRole;
  label: string | null;
  created_at: number;
}

export interface ApiTokenStore {
  create(token: NewApiToken): Promise<ApiTokenRecord>;
  /** The token with this hash, when it exists and is not revoked. */
  findActive(tokenHash: string): Promise<ApiTokenRecord | null>;
  /** Every token, newest first, revoked ones included. */
  list(): Promise<ApiTokenRecord[]>;
  /** Marks the token revoked; false when no active token has this id. */
  revoke(id: number, at: number): Promise<boolean>;
}
