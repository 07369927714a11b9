import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { openDatabase, type SqliteDb } from '../store/database.js';
import { Migrator } from '../store/migrator.js';
import { buildFtsQuery, contentHash, normaliseTags, ReflectionStore } from './reflection-store.js';

function setup(start = Date.UTC(2026, 0, 2, 3, 4, 5)): { db: SqliteDb; store: ReflectionStore; tick: () => void } {
  const db = openDatabase(':memory:');
  new Migrator(db).up();
  let t = start;
  const store = new ReflectionStore(db, { now: () => t });
  return { db, store, tick: () => (t += 1000) };
}

function isInvalid(field: string) {
  return (err: unknown) => err instanceof AppError && err.code === 'INVALID_INPUT' && err.details.field === field;
}

describe('ReflectionStore.store', () => {
  it('stores, returns the row and dedups on normalised content', () => {
    const { store } = setup();
    const a = store.store({ content: 'Use  WAL mode\nfor SQLite', tags: ['SQLite', ' perf ', 'sqlite'], project: 'sb' });
    assert.equal(a.created, true);
    assert.deepEqual(a.tags, ['sqlite', 'perf']);
    assert.equal(a.project, 'sb');
    assert.equal(a.created_at, '2026-01-02T03:04:05.000Z');
    // hash of "Use WAL mode for SQLite" (whitespace collapsed)
    assert.equal(a.content_hash, crypto.createHash('sha256').update('Use WAL mode for SQLite').digest('hex'));

    const b = store.store({ content: '  Use WAL mode for   SQLite ', tags: ['other'] });
    assert.equal(b.created, false);
    assert.equal(b.id, a.id);
    assert.deepEqual(b.tags, ['sqlite', 'perf']); // the existing row is returned unchanged
    assert.equal(store.stats().total, 1);
  });

  it('validates content, tags and project', () => {
    const { store } = setup();
    assert.throws(() => store.store({ content: '   ' }), isInvalid('content'));
    assert.throws(() => store.store({ content: 'x'.repeat(20_001) }), isInvalid('content'));
    assert.doesNotThrow(() => store.store({ content: 'y'.repeat(20_000) }));
    assert.throws(() => store.store({ content: 'ok', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }), isInvalid('tags'));
    assert.throws(() => store.store({ content: 'ok', tags: ['a'.repeat(65)] }), isInvalid('tags.0'));
    assert.throws(() => store.store({ content: 'ok', tags: ['fine', ''] }), isInvalid('tags.1'));
    assert.throws(() => store.store({ content: 'ok', tags: [3 as unknown as string] }), isInvalid('tags.0'));
    assert.throws(() => store.store({ content: 'ok', project: 'p'.repeat(201) }), isInvalid('project'));
  });
});

describe('ReflectionStore.search', () => {
  it('finds a reflection immediately after it is stored, with score and ISO date', () => {
    const { store } = setup();
    store.store({ content: 'Migrations must be numbered without gaps', tags: ['store'] });
    const res = store.search({ query: 'numbered migrations' });
    assert.equal(res.fts_query, '"numbered" OR "migrations"');
    assert.equal(res.results.length, 1);
    const hit = res.results[0]!;
    assert.equal(hit.content, 'Migrations must be numbered without gaps');
    assert.equal(hit.created_at, '2026-01-02T03:04:05.000Z');
    assert.equal(typeof hit.score, 'number');
    assert.ok(hit.score > 0);
  });

  it('ranks a reflection matching more and rarer terms first; porter stemming matches word forms', () => {
    const { store, tick } = setup();
    store.store({ content: 'The dashboard shows charts' });
    tick();
    store.store({ content: 'Flaky tests in the websocket server: testing reconnect logic' });
    tick();
    store.store({ content: 'Websocket heartbeat every 30 seconds' });
    tick();
    store.store({ content: 'Prometheus exporter uses prom-client' });
    tick();
    store.store({ content: 'CLI uses commander' });
    const res = store.search({ query: 'websocket test' });
    assert.equal(res.results.length, 2);
    // Both match "websocket"; only the first matches "test" (via "tests"/"testing" stems).
    assert.match(res.results[0]!.content, /^Flaky tests/);
    assert.ok(res.results[0]!.score > res.results[1]!.score);
  });

  it('filters by project and by tags (all listed tags required)', () => {
    const { store } = setup();
    store.store({ content: 'cache invalidation note one', tags: ['cache', 'bug'], project: 'a' });
    store.store({ content: 'cache invalidation note two', tags: ['cache'], project: 'b' });
    store.store({ content: 'cache invalidation note three', tags: ['bug'], project: 'a' });
    assert.equal(store.search({ query: 'cache', project: 'a' }).results.length, 2);
    const tagged = store.search({ query: 'cache', tags: ['cache', 'BUG'] }).results;
    assert.deepEqual(tagged.map((r) => r.content), ['cache invalidation note one']);
    assert.equal(store.search({ query: 'cache', project: 'zzz' }).results.length, 0);
  });

  it('matches tags as text', () => {
    const { store } = setup();
    store.store({ content: 'something about deployment', tags: ['kubernetes'] });
    assert.equal(store.search({ query: 'kubernetes' }).results.length, 1);
  });

  it('respects the limit', () => {
    const { store } = setup();
    for (let i = 0; i < 5; i++) store.store({ content: `alpha note ${i}` });
    assert.equal(store.search({ query: 'alpha', limit: 3 }).results.length, 3);
    assert.throws(() => store.search({ query: 'alpha', limit: 0 }), isInvalid('limit'));
    assert.throws(() => store.search({ query: 'alpha', limit: 101 }), isInvalid('limit'));
  });

  it('never fails on FTS5 syntax characters in the query', () => {
    const { store } = setup();
    store.store({ content: 'key: value with "quotes" and NEAR operator (parens) star*' });
    for (const q of ['"', '"unbalanced', 'key:', 'star*', 'NEAR(a b)', 'a AND', 'OR', '(parens', '^start', "it's", '-minus', '{col}:x']) {
      assert.doesNotThrow(() => store.search({ query: q }), `query ${q}`);
    }
    assert.equal(store.search({ query: '"quotes"' }).results.length, 1);
    assert.equal(store.search({ query: 'NEAR' }).results.length, 1);
  });

  it('rejects an empty query', () => {
    const { store } = setup();
    assert.throws(() => store.search({ query: '' }), isInvalid('query'));
    assert.throws(() => store.search({ query: '   ' }), isInvalid('query'));
    // Punctuation only is not an error: nothing to match, so no results.
    assert.deepEqual(store.search({ query: '*** ::' }).results, []);
  });
});

describe('helpers', () => {
  it('buildFtsQuery quotes terms and doubles inner quotes', () => {
    assert.equal(buildFtsQuery('say "hi" now'), '"say" OR """hi""" OR "now"');
    assert.equal(buildFtsQuery('a a b'), '"a" OR "b"');
  });
  it('contentHash ignores surrounding and repeated whitespace only', () => {
    assert.equal(contentHash(' a  b\n'), contentHash('a b'));
    assert.notEqual(contentHash('A b'), contentHash('a b'));
  });
  it('normaliseTags handles undefined', () => {
    assert.deepEqual(normaliseTags(undefined), []);
  });
  it('migration 0003 rolls back cleanly', () => {
    const { db } = setup();
    const m = new Migrator(db);
    m.to(2);
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'reflections%'").all() as unknown[]).length;
    assert.equal(names, 0);
    m.up();
    assert.equal(new ReflectionStore(db).stats().total, 0);
  });
});
