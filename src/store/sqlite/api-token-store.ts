/**
 * SQLite implementation of ApiTokenStore (table api_tokens, migration 0008).
 */
import type { ApiTokenRecord, ApiTokenStore, NewApiToken } from '../api-token-types.js';
import type { SqliteDb } from '../database.js';

const COLUMNS = 'id, user_hash, role, label, created_at, revoked_at';

export class SqliteApiTokenStore implements ApiTokenStore {
  private readonly stmts;

  constructor(db: SqliteDb) {
    const p = (sql: string) => db.prepare(sql);
    this.stmts = {
      insert: p(`INSERT INTO api_tokens (token_hash, user_hash, role, label, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`),
      findActive: p(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`),
      list: p(`SELECT ${COLUMNS} FROM api_tokens ORDER BY id DESC`),
      revoke: p('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    };
  }

  async create(t: NewApiToken): Promise<ApiTokenRecord> {
    return this.stmts.insert.get(t.token_hash, t.user_hash, t.role, t.label, t.created_at) as ApiTokenRecord;
  }

  async findActive(tokenHash: string): Promise<ApiTokenRecord | null> {
    return (this.stmts.findActive.get(tokenHash) as ApiTokenRecord | undefined) ?? null;
  }

  async list(): Promise<ApiTokenRecord[]> {
    return this.stmts.list.all() as ApiTokenRecord[];
  }

  async revoke(id: number, at: number): Promise<boolean> {
    return this.stmts.revoke.run(at, id).changes > 0;
  }
}
