/**
 * Migration 0024: identical reflection text is deduplicated per project instead of across the
 * store, on every back-end. A database created at the schema before it, with reflections of
 * every kind, links and vectors in it, keeps every row (ids, text, links, times) and every
 * vector, stays searchable by words, and then takes the same text under another project.
 * Rolling back keeps the earliest copy of a text and drops the later copies only.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contentHash } from '../memory/reflection-service.js';
import { openDatabase, type SqliteDb } from './database.js';
import type { PgStore } from './postgres/store.js';
import type { PreparedReflection, PreparedSearch, ReflectionStore } from './reflection-types.js';
import { Migrator } from './sqlite/migrator.js';
import { SqliteReflectionStore } from './sqlite/reflection-store.js';
import { testBackends, type OpenedBackend } from '../testing/backends.js';

/** The schema version before migration 0024. */
const BEFORE = 23;
const T0 = Date.UTC(2026, 10, 20, 12);
const MODEL = 'model-a';
const NOTES = [
  { kind: 'note', content: 'Run the migrations before the deploy', tags: '["deploy"]', files: '["db/migrate.sql"]', project: 'alpha', data: null },
  { kind: 'note', content: 'Run the migrations before every deploy', tags: '[]', files: '[]', project: 'alpha', data: null },
  { kind: 'note', content: 'Caches need a warm-up after a restart', tags: '["cache"]', files: '[]', project: null, data: null },
  {
    kind: 'checkpoint',
    content: 'Checkpoint of shop: score 80',
    tags: '["checkpoint","quality"]',
    files: '[]',
    project: 'shop',
    data: '{"workingDirectory":"/p"}',
  },
] as const;
const SEARCH: Omit<PreparedSearch, 'terms' | 'project'> = { limit: 10, tags: [], file: null, kind: null, since: null, until: null };

const lit = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);

interface AtBefore {
  exec(sql: string): Promise<void>;
  query<T>(sql: string): Promise<T[]>;
  to(version: number): Promise<void>;
  latest: number;
  reflections: ReflectionStore;
  dispose(): Promise<void>;
}

describe('migration 0024: identical reflection text once per project', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let db: AtBefore;
      const rows = async () =>
        (
          await db.query<Record<string, unknown>>(
            'SELECT id, kind, content, content_hash, tags, files, project, data, duplicate_of, created_at FROM reflections ORDER BY id',
          )
        ).map((r) => ({
          ...r,
          id: Number(r.id),
          content_hash: String(r.content_hash),
          duplicate_of: r.duplicate_of === null ? null : Number(r.duplicate_of),
          created_at: Number(r.created_at),
        }));
      const vectors = async () => (await db.reflections.vectorsAfter(MODEL, 0, 100)).map((v) => [v.id, [...v.vector]]);
      let original: Awaited<ReturnType<typeof rows>>;
      let originalVectors: Awaited<ReturnType<typeof vectors>>;

      before(async () => {
        if (backend.skip) return;
        db = await openAtBefore(backend.name === 'sqlite' ? null : await backend.open({ migrate: false }));
        // Written at the schema before 0024, as the program of that time wrote them.
        for (const [i, n] of NOTES.entries()) {
          await db.exec(
            `INSERT INTO reflections (kind, content, content_hash, tags, files, project, data, created_at) VALUES (${lit(n.kind)}, ${lit(n.content)}, ` +
              `${lit(contentHash(n.content))}, ${lit(n.tags)}, ${lit(n.files)}, ${lit(n.project)}, ${lit(n.data)}, ${T0 + i * 1000})`,
          );
        }
        await db.exec(`UPDATE reflections SET duplicate_of = (SELECT min(id) FROM reflections) WHERE content_hash = ${lit(contentHash(NOTES[1].content))}`);
        original = await rows();
        await db.reflections.saveVectors(
          MODEL,
          original.slice(0, 3).map((r, i) => ({ id: r.id, vector: new Float32Array([i, 0.5, -0.25]) })),
        );
        originalVectors = await vectors();
      });
      after(async () => {
        await db?.dispose();
      });

      it('keeps every row and vector, stays searchable, and takes the same text under another project', async () => {
        assert.equal(original.length, 4);
        assert.equal(originalVectors.length, 3);
        await db.to(db.latest);
        assert.deepEqual(await rows(), original);
        assert.deepEqual(await vectors(), originalVectors);
        if (backend.name === 'sqlite') await db.exec("INSERT INTO reflections_fts (reflections_fts, rank) VALUES ('integrity-check', 1)");
        const found = await db.reflections.search({ ...SEARCH, terms: ['warm'], project: null });
        assert.deepEqual(
          found.results.map((r) => r.id),
          [original[2]!.id],
        );

        const note = (project: string | null): PreparedReflection => ({
          kind: 'note',
          content: NOTES[0].content,
          hash: contentHash(NOTES[0].content),
          tags: [],
          files: [],
          project,
          data: null,
          duplicateOf: null,
          createdAt: T0 + 10_000,
        });
        const same = await db.reflections.insert(note('alpha'));
        assert.deepEqual([same.created, same.id], [false, original[0]!.id]);
        const beta = await db.reflections.insert(note('beta'));
        assert.deepEqual([beta.created, beta.project], [true, 'beta']);
        assert.ok(beta.id > original[3]!.id);
        const byProject = await db.reflections.search({ ...SEARCH, terms: ['migrations'], project: 'beta' });
        assert.deepEqual(
          byProject.results.map((r) => r.id),
          [beta.id],
        );
        // The vectors still go with their reflection.
        await db.exec(`DELETE FROM reflections WHERE id = ${original[2]!.id}`);
        assert.deepEqual(await db.reflections.vectorCounts(MODEL), { reflections: 4, embedded: 2 });
      });

      it('rolls back to one row per text: the earliest copy stays, the later copies go', async () => {
        await db.to(BEFORE);
        assert.deepEqual(await rows(), [original[0], original[1], original[3]]);
        assert.deepEqual(await vectors(), [originalVectors[0], originalVectors[1]]);
        await assert.rejects(
          db.exec(
            `INSERT INTO reflections (kind, content, content_hash, tags, files, project, created_at) VALUES ('note', 'x', ${lit(original[0]!.content_hash)}, '[]', '[]', 'gamma', ${T0})`,
          ),
        );
        await db.to(db.latest);
        assert.deepEqual(await rows(), [original[0], original[1], original[3]]);
      });
    });
  }
});

/** A database created at schema BEFORE: a new SQLite file (when `pg` is null), else the PostgreSQL store opened without migrations. */
async function openAtBefore(pg: OpenedBackend | null): Promise<AtBefore> {
  if (pg === null) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-refl-0024-'));
    const sqlite: SqliteDb = openDatabase(path.join(dir, 'test.db'));
    const migrator = new Migrator(sqlite);
    migrator.to(BEFORE);
    return {
      async exec(sql) {
        sqlite.exec(sql);
      },
      async query<T>(sql: string) {
        return sqlite.prepare(sql).all() as T[];
      },
      async to(version) {
        migrator.to(version);
      },
      latest: migrator.latestVersion,
      reflections: new SqliteReflectionStore(sqlite),
      async dispose() {
        sqlite.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { migrator } = pg.store as PgStore;
  await migrator.to(BEFORE);
  return {
    exec: (sql) => pg.exec(sql),
    query: (sql) => pg.query(sql),
    async to(version) {
      await migrator.to(version);
    },
    latest: migrator.latestVersion,
    reflections: pg.stores.reflections,
    dispose: () => pg.dispose(),
  };
}
