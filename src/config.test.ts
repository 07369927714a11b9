import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from './config.js';

const cwd = '/srv/project';

describe('store and pub/sub configuration', () => {
  it('defaults to the SQLite file in the data directory and no fan-out', () => {
    const c = parseConfig({ cwd, env: { HOME: '/home/ann' } });
    assert.deepEqual(c.store, { kind: 'sqlite' });
    assert.equal(c.dbPath, '/home/ann/.session-buddy/session-buddy.db');
    assert.equal(c.pubsub, null);
  });
});

describe('data directory', () => {
  it('is one per user, never in the working directory', () => {
    assert.equal(parseConfig({ cwd: '/a', env: { HOME: '/home/ann' } }).dataDir, '/home/ann/.session-buddy');
    assert.equal(parseConfig({ cwd: '/b', env: { HOME: '/home/ann' } }).dataDir, '/home/ann/.session-buddy');
    assert.equal(parseConfig({ cwd, env: { HOME: '/home/ann', XDG_DATA_HOME: '/home/ann/.local/share' } }).dataDir, '/home/ann/.local/share/session-buddy');
    // A relative XDG_DATA_HOME is invalid per the spec and ignored.
    assert.equal(parseConfig({ cwd, env: { HOME: '/home/ann', XDG_DATA_HOME: 'rel' } }).dataDir, '/home/ann/.session-buddy');
  });

  it('is overridden by SESSION_BUDDY_DATA_DIR and --data-dir (relative to cwd, ~ expanded)', () => {
    const env = { HOME: '/home/ann', SESSION_BUDDY_DATA_DIR: 'env-dir' };
    assert.equal(parseConfig({ cwd, env }).dataDir, '/srv/project/env-dir');
    assert.equal(parseConfig({ cwd, env, flags: { dataDir: '/x/y' } }).dataDir, '/x/y');
    assert.equal(parseConfig({ cwd, env, flags: { dataDir: '~/sb' } }).dataDir, '/home/ann/sb');
  });

  it('takes sqlite:PATH relative to the working directory', () => {
    const c = parseConfig({ cwd, flags: { store: 'sqlite:data/team.db' } });
    assert.deepEqual(c.store, { kind: 'sqlite' });
    assert.equal(c.dbPath, path.join(cwd, 'data', 'team.db'));
    assert.equal(parseConfig({ cwd, env: { SESSION_BUDDY_STORE: 'sqlite:/abs/x.db' } }).dbPath, '/abs/x.db');
  });

  it('takes a postgres URL from the flag (over the environment) with the pool size from the environment', () => {
    const c = parseConfig({
      cwd,
      flags: { store: 'postgres://sb@db.internal:5432/sb' },
      env: { SESSION_BUDDY_STORE: 'sqlite:other.db', SESSION_BUDDY_PG_POOL_SIZE: '16' },
    });
    assert.deepEqual(c.store, { kind: 'postgres', url: 'postgres://sb@db.internal:5432/sb', poolSize: 16 });
    assert.deepEqual(parseConfig({ cwd, env: { SESSION_BUDDY_STORE: 'postgresql://h/db' } }).store, { kind: 'postgres', url: 'postgresql://h/db', poolSize: 10 });
  });

  it('takes a redis URL (and channel) for the fan-out; none turns it off', () => {
    assert.deepEqual(parseConfig({ cwd, flags: { pubsub: 'redis://127.0.0.1:6379' } }).pubsub, { url: 'redis://127.0.0.1:6379', channel: null });
    assert.deepEqual(parseConfig({ cwd, env: { SESSION_BUDDY_PUBSUB: 'rediss://r:6380', SESSION_BUDDY_PUBSUB_CHANNEL: 'team-a' } }).pubsub, {
      url: 'rediss://r:6380',
      channel: 'team-a',
    });
    assert.equal(parseConfig({ cwd, flags: { pubsub: 'none' }, env: { SESSION_BUDDY_PUBSUB: 'redis://x' } }).pubsub, null);
  });

  it('rejects anything else, naming the setting', () => {
    const field = (name: string) => (err: unknown) => (err as { code?: string }).code === 'INVALID_INPUT' && (err as { details: { field?: string } }).details.field === name;
    assert.throws(() => parseConfig({ cwd, flags: { store: 'mysql://x/y' } }), field('store'));
    assert.throws(() => parseConfig({ cwd, flags: { pubsub: 'nats://x' } }), field('pubsub'));
    assert.throws(() => parseConfig({ cwd, env: { SESSION_BUDDY_PG_POOL_SIZE: '0' } }), { code: 'INVALID_INPUT' });
  });
});
