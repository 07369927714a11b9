/**
 * Team mode (PostgreSQL): the data directory's `salt` file follows the
 * store's shared salt, so the hook, which spools without a database
 * connection, pre-hashes user ids the way every instance hashes them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { appendToSpool, drainSpool, REJECTED_FILE } from '../capture/spool.js';
import type { CapturedInvocation } from '../capture/types.js';
import { parseConfig } from '../config.js';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable, testTracker } from '../testing/backends.js';
import { eventually } from '../testing/eventually.js';
import { openTracker } from '../tracking/open-tracker.js';
import { openSchemaMigrator, openSqliteStores, openStores } from './open-stores.js';
import type { PgStore } from './postgres/store.js';
import { openPgStores } from './postgres/stores.js';
import { newPgInstance } from './postgres/pool.js';
import { createUserHasher, readSalt, SALT_FILE, writeSalt } from './salt.js';

const DB_SALT = 'd'.repeat(64);
const LOCAL_SALT = '1'.repeat(64);

function inv(i: number, extra: Partial<CapturedInvocation> = {}): CapturedInvocation {
  return {
    skill_name: 'Bash',
    session_id: 'salt-s1',
    user_id: 'alice',
    workflow_phase: 'unknown',
    completed: true,
    duration_ms: i,
    error_type: null,
    invoked_at: Date.now() - 60_000 + i,
    project: 'p',
    agent: 'claude-code',
    metadata: { source: 'hook' },
    dedupe_key: `cc:salt-s1:toolu_${i}`,
    ...extra,
  };
}

describe('team mode: the data directory salt follows the store salt', async () => {
  const skip = await pgReachable(DEFAULT_TEST_PG_URL);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-open-stores-'));
  let n = 0;
  const schemas: { drop(): Promise<void> }[] = [];

  /** A fresh schema whose shared salt is DB_SALT, and a data directory for it. */
  async function team(): Promise<{ url: string; dataDir: string; config: ReturnType<typeof parseConfig> }> {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    schemas.push(schema);
    const seeded = await openPgStores(schema.url, { salt: DB_SALT, poolSize: 1, instance: newPgInstance() });
    assert.equal(seeded.userSalt, DB_SALT);
    await seeded.close();
    const dataDir = path.join(root, `d${n++}`);
    fs.mkdirSync(dataDir);
    return { url: schema.url, dataDir, config: parseConfig({ flags: { dataDir, store: schema.url }, env: {} }) };
  }

  after(async () => {
    for (const s of schemas) await s.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('replaces a different local salt file with the store salt (0600, atomically)', { skip: skip ?? false }, async () => {
    const { dataDir, config } = await team();
    writeSalt(dataDir, LOCAL_SALT);
    const stores = await openStores(config);
    try {
      assert.equal(stores.userSalt, DB_SALT, 'the store keeps its own salt');
    } finally {
      await stores.close();
    }
    assert.equal(readSalt(dataDir), DB_SALT);
    assert.equal(fs.statSync(path.join(dataDir, SALT_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dataDir), [SALT_FILE], 'no temporary file left behind');
  });

  it('writes the store salt into a data directory without one', { skip: skip ?? false }, async () => {
    const { dataDir, config } = await team();
    const { close } = await openTracker(config);
    await close();
    assert.equal(readSalt(dataDir), DB_SALT);
  });

  it('offers the local salt to a store that has none yet (and keeps the file)', { skip: skip ?? false }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    schemas.push(schema);
    const dataDir = path.join(root, `d${n++}`);
    fs.mkdirSync(dataDir);
    writeSalt(dataDir, LOCAL_SALT);
    const stores = await openStores(parseConfig({ flags: { dataDir, store: schema.url }, env: {} }));
    await stores.close();
    assert.equal(stores.userSalt, LOCAL_SALT);
    assert.equal(readSalt(dataDir), LOCAL_SALT);
  });

  it('keeps the local salt while a SQLite database in the data directory has users hashed with it', { skip: skip ?? false }, async () => {
    const { dataDir, config } = await team();
    writeSalt(dataDir, LOCAL_SALT);
    const sqlite = openSqliteStores(config.dbPath);
    const { tracker } = testTracker(sqlite.invocations);
    await tracker.trackBatch([inv(1)]);
    await sqlite.close();
    const stores = await openStores(config);
    await stores.close();
    assert.equal(readSalt(dataDir), LOCAL_SALT, 'the SQLite rows keep the salt they were hashed with');
  });

  it('replaces the local salt when the SQLite database there has no users', { skip: skip ?? false }, async () => {
    const { dataDir, config } = await team();
    writeSalt(dataDir, LOCAL_SALT);
    await openSqliteStores(config.dbPath).close();
    const stores = await openStores(config);
    await stores.close();
    assert.equal(readSalt(dataDir), DB_SALT);
  });

  it('stores a spooled invocation under the same user hash as a live one; a line hashed with the old salt is set aside', {
    skip: skip ?? false,
  }, async () => {
    const { dataDir, config } = await team();
    writeSalt(dataDir, LOCAL_SALT);
    // Spooled by a hook before any process opened the store from this data directory: hashed with the old local salt.
    appendToSpool(dataDir, [inv(1)]);

    const opened = await openTracker(config);
    try {
      // Spooled after the store was opened from this data directory: the hook now hashes with the shared salt.
      appendToSpool(dataDir, [inv(2)]);
      assert.doesNotMatch(fs.readFileSync(path.join(dataDir, 'spool.jsonl'), 'utf8'), /alice/, 'no raw id on disk');
      const sum = await drainSpool(dataDir, (inputs) => opened.tracker.trackBatch(inputs));
      assert.deepEqual(sum, { files: 1, lines: 2, inserted: 1, duplicates: 0, rejected: 1 });
      // A live write of the same raw id.
      await opened.tracker.trackBatch([inv(3)]);

      const { pool } = opened.stores.invocations as PgStore;
      const rows = (
        await pool.query<{ dedupe_key: string; user_hash: string }>(
          'SELECT i.dedupe_key, u.user_hash FROM skill_invocations i JOIN users u ON u.id = i.user_id ORDER BY i.dedupe_key',
        )
      ).rows;
      const alice = createUserHasher(DB_SALT)('alice');
      assert.deepEqual(rows, [
        { dedupe_key: 'cc:salt-s1:toolu_2', user_hash: alice },
        { dedupe_key: 'cc:salt-s1:toolu_3', user_hash: alice },
      ]);
      assert.equal((await pool.query('SELECT 1 FROM users')).rowCount, 1, 'one person, one user');

      // The old line is not lost: kept with the reason, its user id still only a hash.
      const rejected = fs.readFileSync(path.join(dataDir, REJECTED_FILE), 'utf8').trim().split('\n');
      assert.equal(rejected.length, 1);
      const entry = JSON.parse(rejected[0]!) as { reason: string; line: string };
      assert.match(entry.reason, /another salt/);
      assert.equal((JSON.parse(entry.line) as CapturedInvocation).dedupe_key, 'cc:salt-s1:toolu_1');
      assert.doesNotMatch(rejected[0]!, /alice/);
    } finally {
      await opened.close();
    }
  });
});

describe('application_name: the mark each opening of a PostgreSQL store gives its connections', async () => {
  const skip = await pgReachable(DEFAULT_TEST_PG_URL);

  it("marks one opening's connections alike; the migrator counts another opening's, in this very process too, never its own", {
    skip: skip ?? false,
    timeout: 60_000,
  }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-app-name-'));
    const config = parseConfig({ flags: { dataDir, store: schema.url }, env: {} });
    const migrator = await openSchemaMigrator(config);
    try {
      // Its own connection (the one asking) is not another process's.
      assert.deepEqual(await migrator.otherConnections(), []);
      await migrator.currentVersion();
      assert.deepEqual(await migrator.otherConnections(), []);
      // The stores opened by another composition, e.g. a server: counted, although in the same process.
      const stores = await openStores(config);
      try {
        const others = await migrator.otherConnections();
        assert.ok(others.length >= 1, JSON.stringify(others));
        const names = new Set(others.map((o) => o.applicationName));
        assert.equal(names.size, 1, `one mark for every connection of one opening: ${[...names].join(', ')}`);
        const schemaName = new URL(schema.url).searchParams.get('options')!.replace('-c search_path=', '');
        assert.match([...names][0]!, new RegExp(`^session-buddy ${process.pid}\\.[0-9a-f]{6} ${schemaName}$`));
      } finally {
        await stores.close();
      }
      // Closed connections leave pg_stat_activity a moment later.
      assert.deepEqual(
        await eventually(
          () => migrator.otherConnections(),
          (o) => o.length === 0,
        ),
        [],
      );
    } finally {
      await migrator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await schema.drop();
    }
  });
});
