/**
 * PostgreSQL implementation of ApiTokenStore (table api_tokens, migration 0008).
 */
import type pg from 'pg';
import type { ApiTokenRecord, ApiTokenStore, NewApiToken } from '../api-token-types.js';

const COLUMNS = 'id, user_hash, role, label, created_at, revoked_at';

interface Row {
  id: string | number;
  user_hash: string;
  role: ApiTokenRecord['role'];
  label: string | null;
  created_at: string | number;
  revoked_at: string | number | null;
}

function toRecord(r: Row): ApiTokenRecord {
  return {
    id: Number(r.id),
    user_hash: r.user_hash,
    role: r.role,
    label: r.label,
    created_at: Number(r.created_at),
    revoked_at: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

export class PgApiTokenStore implements ApiTokenStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(t: NewApiToken): Promise<ApiTokenRecord> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO api_tokens (token_hash, user_hash, role, label, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [t.token_hash, t.user_hash, t.role, t.label, t.created_at],
    );
    return toRecord(rows[0]!);
  }

  async findActive(tokenHash: string): Promise<ApiTokenRecord | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(): Promise<ApiTokenRecord[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY id DESC`);
    return rows.map(toRecord);
  }

  async revoke(id: number, at: number): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
    return (rowCount ?? 0) > 0;
  }
}
