/**
 * The floor under batched import: how fast SQLite takes the raw invocation
 * rows alone (the real schema and its indexes, no rollups, ids already
 * resolved), against the whole write path (validation, hashing, rollups)
 * on the same rows. Both in one transaction per 200,000 rows, as the import.
 *
 *   node --import tsx bench/raw-insert.ts [rows]     # default 400,000
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { openDatabase } from '../src/store/database.js';
import { Migrator } from '../src/store/sqlite/migrator.js';
import { generateDemoInvocations } from '../src/tracking/demo-data.js';
import type { InvocationInput } from '../src/tracking/invocation-input.js';
import { createUlidFactory } from '../src/tracking/ulid.js';

const ROWS = Number(process.argv[2] ?? 400_000);
const CHUNK = 200_000;

const now = Date.now();
const chunks: InvocationInput[][] = [...generateDemoInvocations({ invocations: ROWS, seed: 42, now }, CHUNK)];
const rate = (ms: number) => `${Math.round(ROWS / (ms / 1000)).toLocaleString('en-US')} rows/s`;

// 1. Raw rows only.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-raw-'));
const db = openDatabase(path.join(dir, 'raw.db'));
new Migrator(db).up();
const skills = new Map<string, number>();
const users = new Map<string, number>();
const sessions = new Map<string, number>();
const intern = (map: Map<string, number>, key: string) => map.get(key) ?? map.set(key, map.size + 1).get(key)!;
for (const chunk of chunks)
  for (const c of chunk) {
    intern(skills, c.skill_name);
    intern(users, c.user_id);
    intern(sessions, c.session_id);
  }
db.transaction(() => {
  const skill = db.prepare('INSERT INTO skills (id, name, first_seen_at) VALUES (?, ?, 0)');
  const user = db.prepare('INSERT INTO users (id, user_hash) VALUES (?, ?)');
  const session = db.prepare('INSERT INTO sessions (id, session_key, user_id, first_at, last_at) VALUES (?, ?, 1, 0, 0)');
  for (const [k, id] of skills) skill.run(id, k);
  for (const [k, id] of users) user.run(id, k);
  for (const [k, id] of sessions) session.run(id, k);
})();
const insert = db.prepare(`INSERT INTO skill_invocations
  (id, skill_id, session_id, user_id, workflow_phase, completed, duration_ms, error_type, invoked_at, project, agent, metadata, dedupe_key)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
const newId = createUlidFactory();
const rows = chunks.map((chunk) =>
  chunk.map((c) => [
    newId(now),
    skills.get(c.skill_name)!,
    sessions.get(c.session_id)!,
    users.get(c.user_id)!,
    c.workflow_phase,
    c.completed ? 1 : 0,
    c.duration_ms,
    c.error_type ?? null,
    c.invoked_at as number,
    c.project ?? null,
    c.agent ?? null,
    null,
    null,
  ]),
);
let t = performance.now();
for (const chunk of rows)
  db.transaction(() => {
    for (const r of chunk) insert.run(r);
  })();
const rawMs = performance.now() - t;
db.close();

// 2. The whole write path.
const app = createApp(parseConfig({ flags: { dataDir: path.join(dir, 'app') }, env: {} }), { logger: createLogger('silent') });
t = performance.now();
for (const chunk of chunks) await app.tracker.trackBatch(chunk);
const fullMs = performance.now() - t;
await app.close();
fs.rmSync(dir, { recursive: true, force: true });

process.stdout.write(`${ROWS.toLocaleString('en-US')} demo invocations, ${CHUNK.toLocaleString('en-US')} per transaction
raw rows only (real schema and indexes, ids resolved): ${rate(rawMs)}
whole write path (validation, hashing, raw rows, rollups): ${rate(fullMs)}
`);
