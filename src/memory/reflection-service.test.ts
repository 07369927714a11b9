/**
 * ReflectionStore on every back-end (SqliteReflectionStore with FTS5,
 * PgReflectionStore with tsvector), plus the shared helpers.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { openDatabase } from '../store/database.js';
import { Migrator } from '../store/sqlite/migrator.js';
import { testBackends, type OpenedBackend } from '../testing/backends.js';
import { ftsExpression, SqliteReflectionStore } from '../store/sqlite/reflection-store.js';
import type { CheckpointMemoryEntry } from '../session/session-types.js';
import { EMBEDDING_MODEL } from './reflection-embedder.js';
import { contentHash, createReflectionService, normaliseTags, searchTerms, type ReflectionService } from './reflection-service.js';

const START = Date.UTC(2026, 0, 2, 3, 4, 5);

function isInvalid(field: string) {
  return (err: unknown) => err instanceof AppError && err.code === 'INVALID_INPUT' && err.details.field === field;
}

describe('reflections (service over each back-end store)', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let store: ReflectionService;
      let t = START;
      const tick = () => (t += 1000);

      before(async () => {
        if (backend.skip) return;
        b = await backend.open({ now: () => t });
        store = createReflectionService(b.stores.reflections);
      });
      beforeEach(async () => {
        if (backend.skip) return;
        t = START;
        await b.exec('DELETE FROM reflections');
      });
      after(async () => {
        await b?.dispose();
      });

      it('stores, returns the row and dedups on normalised content', async () => {
        const a = await store.store({ content: 'Use  WAL mode\nfor SQLite', tags: ['SQLite', ' perf ', 'sqlite'], project: 'sb' });
        assert.equal(a.created, true);
        assert.deepEqual(a.tags, ['sqlite', 'perf']);
        assert.equal(a.project, 'sb');
        assert.equal(a.created_at, '2026-01-02T03:04:05.000Z');
        // hash of "Use WAL mode for SQLite" (whitespace collapsed)
        assert.equal(a.content_hash, crypto.createHash('sha256').update('Use WAL mode for SQLite').digest('hex'));

        const c = await store.store({ content: '  Use WAL mode for   SQLite ', tags: ['other'], project: 'sb' });
        assert.equal(c.created, false);
        assert.equal(c.id, a.id);
        assert.deepEqual(c.tags, ['sqlite', 'perf']); // the existing row is returned unchanged
        assert.equal((await store.stats()).total, 1);
        // The same text under another project, or without one, is a note of its own (found there, not linked).
        const other = await store.store({ content: 'Use WAL mode for SQLite', project: 'other' });
        const general = await store.store({ content: 'Use WAL mode for SQLite' });
        assert.deepEqual([other.created, other.project, other.near_duplicate, general.created, general.project], [true, 'other', null, true, null]);
        assert.equal(new Set([a.id, other.id, general.id]).size, 3);
        assert.deepEqual(
          (await store.search({ query: 'WAL', project: 'other' })).results.map((r) => r.id),
          [other.id],
        );
        assert.deepEqual((await store.store({ content: 'Use WAL mode for SQLite' })).id, general.id);
        assert.equal((await store.stats()).total, 3);
        // Stored as given (trimmed); only the hash normalises whitespace.
        assert.deepEqual(await store.get(a.id), {
          id: a.id,
          kind: 'note',
          content: 'Use  WAL mode\nfor SQLite',
          tags: ['sqlite', 'perf'],
          files: [],
          project: 'sb',
          duplicate_of: null,
          created_at: a.created_at,
        });
        await assert.rejects(store.get(a.id + 1000), { code: 'NOT_FOUND' });
      });

      it('keeps checkpoints as reflections and reads the score history back (newest 20, per project)', async () => {
        const entry = (total: number, tests: number, lint: number, at: string): CheckpointMemoryEntry => ({
          kind: 'checkpoint',
          sessionId: 's1',
          project: 'proj',
          workingDirectory: '/p',
          at,
          total,
          maturity: 'developing',
          dimensions: { tests, lint },
          changed: { since: 'start', total: null, dimensions: [], newCommits: 1, newInvocations: 4 },
          skillMetrics: {
            invocations: 4,
            successes: 3,
            failures: 1,
            distinctSkills: 1,
            topSkills: [{ skill: 'deploy', invocations: 4, failures: 1, p50DurationMs: 10 }],
          },
          commits: [{ sha: 'abc1234', subject: 'add parser' }],
          recommendations: ['Add tests'],
        });
        const first = await store.rememberCheckpoint(entry(50, 40, 90, '2026-01-02T03:04:05.000Z'));
        tick();
        await store.rememberCheckpoint(entry(62.5, 70, 85, '2026-01-02T03:04:06.000Z'));
        tick();
        await store.rememberCheckpoint({ ...entry(10, 10, 10, '2026-01-02T03:04:07.000Z'), project: 'other' });
        await store.store({ content: 'a plain note', project: 'proj' });
        const h = await store.qualityHistory('proj', '/p');
        assert.deepEqual(h.points, [
          { at: '2026-01-02T03:04:05.000Z', total: 50 },
          { at: '2026-01-02T03:04:06.000Z', total: 62.5 },
        ]);
        assert.equal(h.change, 12.5);
        assert.deepEqual(h.mostMoved, { id: 'tests', from: 40, to: 70, delta: 30 });
        const saved = await store.get(first.id);
        assert.equal(saved.kind, 'checkpoint');
        assert.deepEqual(saved.tags, ['checkpoint', 'quality']);
        // The record is searchable by what it says: the skill used and the commit.
        const hits = await store.search({ query: 'deploy parser', project: 'proj' });
        assert.equal(hits.results.length, 2);
        // Indexed by the paths its text mentions, as a note is (a recommendation naming a file).
        assert.deepEqual(saved.files, []);
        tick();
        const secrets = await store.rememberCheckpoint({
          ...entry(55, 40, 90, '2026-01-02T03:04:08.000Z'),
          project: 'keys',
          recommendations: ['Remove and rotate possible secrets in src/key.ts'],
        });
        assert.deepEqual((await store.get(secrets.id)).files, ['src/key.ts']);
        const byFile = await store.search({ file: 'src/key.ts' });
        assert.deepEqual(
          byFile.results.map((r) => r.id),
          [secrets.id],
        );
        assert.deepEqual(
          (await store.search({ file: 'key.ts', kind: 'checkpoint' })).results.map((r) => r.id),
          [secrets.id],
        );
        for (let i = 0; i < 21; i++) {
          tick();
          await store.rememberCheckpoint(entry(i, i, i, `2026-02-01T00:00:${String(i).padStart(2, '0')}.000Z`));
        }
        const capped = await store.qualityHistory('proj', '/p');
        assert.equal(capped.points.length, 20);
        assert.equal(capped.points[0]!.total, 1);
        assert.equal(capped.points[19]!.total, 20);
        assert.deepEqual((await store.qualityHistory('nobody', '/p')).points, []);
      });

      it('keeps the score history per directory: copies of a project elsewhere, and checkpoints kept without a directory', async () => {
        const entry = (dir: string, total: number, at: string): CheckpointMemoryEntry => ({
          kind: 'checkpoint',
          sessionId: `s-${dir}`,
          project: 'tsproj',
          workingDirectory: dir,
          at,
          total,
          maturity: null,
          dimensions: { lint: total },
          changed: { since: 'start', total: null, dimensions: [], newCommits: null, newInvocations: null },
          skillMetrics: null,
          commits: null,
          recommendations: [],
        });
        // A checkpoint kept before records named their directory (data without workingDirectory, or none at all).
        const legacy = async (total: number | null) => {
          const content = `legacy checkpoint ${total}`;
          const data = total === null ? null : JSON.stringify({ at: '2025-12-01T00:00:00.000Z', total, dimensions: {} });
          await b.stores.reflections.insert({
            kind: 'checkpoint',
            content,
            hash: contentHash(content),
            tags: ['checkpoint'],
            files: [],
            project: 'tsproj',
            data,
            duplicateOf: null,
          });
        };
        await legacy(40);
        await legacy(null);
        tick();
        await store.rememberCheckpoint(entry('/a/tsproj', 60, '2026-01-02T03:04:06.000Z'));
        const totals = async (dir: string) => (await store.qualityHistory('tsproj', dir)).points.map((p) => p.total);
        // One directory only: the name is unambiguous, the legacy checkpoint counts (the one without data is unreadable).
        assert.deepEqual(await totals('/a/tsproj'), [40, 60]);
        tick();
        // A copy elsewhere, and a directory whose name extends the first one's: each has its own history.
        await store.rememberCheckpoint(entry('/b/tsproj', 90, '2026-01-02T03:04:07.000Z'));
        tick();
        await store.rememberCheckpoint(entry('/a/tsproj2', 10, '2026-01-02T03:04:08.000Z'));
        tick();
        await store.rememberCheckpoint(entry('/a/tsproj', 66, '2026-01-02T03:04:09.000Z'));
        // Now the name is ambiguous: a legacy checkpoint cannot be placed, so no directory counts it.
        assert.deepEqual(await totals('/a/tsproj'), [60, 66]);
        assert.deepEqual(await totals('/b/tsproj'), [90]);
        assert.deepEqual(await totals('/a/tsproj2'), [10]);
        assert.deepEqual(await totals('/c/tsproj'), []);
        const h = await store.qualityHistory('tsproj', '/a/tsproj');
        assert.deepEqual(h.mostMoved, { id: 'lint', from: 60, to: 66, delta: 6 });
      });

      it('indexes the files a note names or mentions and filters by file, tag, project, kind and time', async () => {
        const a = await store.store({
          content: 'The cart total rounds in src/shop/cart.ts; see README.md',
          files: ['/abs/lib/pay.ts'],
          project: 'shop',
          tags: ['bug'],
        });
        assert.deepEqual(a.files, ['/abs/lib/pay.ts', 'src/shop/cart.ts', 'README.md']);
        tick(); // 03:04:06
        await store.store({ content: 'Rounding again in other/cart.tsx and mycart.ts', project: 'shop' });
        tick(); // 03:04:07
        await store.store({ content: 'Unrelated deploy note', project: 'ops', tags: ['bug'] });
        const byFile = async (file: string, query?: string) => (await store.search({ ...(query ? { query } : {}), file })).results.map((r) => r.id);
        assert.deepEqual(await byFile('cart.ts'), [a.id]); // suffix after a slash: not cart.tsx, not mycart.ts
        assert.deepEqual(await byFile('shop/cart.ts'), [a.id]);
        assert.deepEqual(await byFile('pay.ts', 'rounds'), [a.id]);
        assert.deepEqual(await byFile('art.ts'), []);
        // Filters alone: newest first, score 0.
        const bug = await store.search({ tags: ['bug'] });
        assert.deepEqual(
          bug.results.map((r) => [r.content.slice(0, 10), r.score]),
          [
            ['Unrelated ', 0],
            ['The cart t', 0],
          ],
        );
        assert.equal((await store.search({ project: 'shop', since: '2026-01-02T03:04:06Z' })).results.length, 1);
        assert.equal((await store.search({ project: 'shop', until: '2026-01-02T03:04:06Z' })).results[0]!.id, a.id);
        assert.equal((await store.search({ kind: 'checkpoint' })).results.length, 0);
        assert.equal((await store.search({ query: 'rounds rounding', kind: 'note', since: '2026-01-02' })).results.length, 2);
        await assert.rejects(store.search({}), isInvalid('query'));
        await assert.rejects(store.search({ kind: 'other' }), isInvalid('kind'));
        await assert.rejects(store.search({ since: 'yesterday' }), isInvalid('since'));
        await assert.rejects(store.search({ since: '2026-01-03', until: '2026-01-02' }), isInvalid('until'));
        // A date-only until includes its whole (UTC) day; since = until is that one day.
        assert.equal((await store.search({ query: 'rounds rounding', until: '2026-01-02' })).results.length, 2);
        assert.equal((await store.search({ query: 'rounds rounding', since: '2026-01-02', until: '2026-01-02' })).results.length, 2);
        assert.equal((await store.search({ query: 'rounds rounding', until: '2026-01-01' })).results.length, 0);
        assert.equal((await store.search({ query: 'rounds rounding', since: '2026-01-03', until: '2026-01-03' })).results.length, 0);
        // Impossible dates and times are refused, naming the field.
        await assert.rejects(store.search({ since: '2026-02-30' }), isInvalid('since'));
        await assert.rejects(store.search({ until: '2026-04-31T10:00Z' }), isInvalid('until'));
        await assert.rejects(store.search({ since: '2026-12-02T24:00Z' }), isInvalid('since'));
        assert.equal((await store.search({ project: 'shop', since: '2024-02-29' })).results.length, 2);
        await assert.rejects(store.search({ file: '   ' }), isInvalid('file'));
      });

      it('links a near-duplicate note (word-set Jaccard ≥ 0.8) and reports it; a different note is not linked', async () => {
        const first = await store.store({ content: 'Run the migrations before the tests on the CI box', project: 'p' });
        tick();
        // words {run,the,migrations,before,tests,on,ci,box,always} vs 8 of them: 8/9 = 0.889
        const again = await store.store({ content: 'run the migrations before tests on the ci box, always!', project: 'p' });
        assert.equal(again.created, true);
        assert.deepEqual(again.near_duplicate, { id: first.id, similarity: 0.889, created_at: first.created_at });
        assert.equal(again.duplicate_of, first.id);
        assert.equal((await store.get(again.id)).duplicate_of, first.id);
        // 4 shared (run, the, migrations, before) of 11 distinct = 0.36: below the threshold
        const other = await store.store({ content: 'Run the migrations before deploying to staging', project: 'p' });
        assert.equal(other.near_duplicate, null);
        // Another project is not compared.
        assert.equal((await store.store({ content: 'Run the migrations before the tests on the CI box!', project: 'q' })).near_duplicate, null);
        // The exact same text is the exact dedup, not a near-duplicate.
        const same = await store.store({ content: 'Run the migrations  before the tests on the CI box', project: 'p' });
        assert.deepEqual([same.created, same.id, same.near_duplicate], [false, first.id, null]);
        const stats = await store.stats();
        assert.equal(stats.near_duplicates, 1);
      });

      it('answers stats: counts per kind, projects, oldest/newest, near-duplicates and size', async () => {
        await store.store({ content: 'abc', project: 'p' }); // 3 + "[]" + "[]" = 7 bytes
        tick();
        await store.store({ content: 'été', tags: ['x'] }); // 5 + '["x"]' 5 + 2 = 12 bytes
        const st = await store.stats();
        assert.deepEqual(st, {
          total: 2,
          projects: 1,
          oldest: '2026-01-02T03:04:05.000Z',
          newest: '2026-01-02T03:04:06.000Z',
          by_kind: { note: 2, checkpoint: 0, precompact: 0 },
          near_duplicates: 0,
          bytes: 19,
          // No embedder given to this service: search by meaning is off, nothing embedded.
          embeddings: { state: 'off', reason: 'search by meaning is not set up', model: EMBEDDING_MODEL, embedded: 0 },
        });
      });

      it('validates content, tags and project', async () => {
        await assert.rejects(store.store({ content: 'binary\u0000data' }), isInvalid('content'));
        await assert.rejects(store.store({ content: 'ok', files: 'a.ts' as unknown as string[] }), isInvalid('files'));
        await assert.rejects(store.store({ content: '   ' }), isInvalid('content'));
        await assert.rejects(store.store({ content: 'x'.repeat(20_001) }), isInvalid('content'));
        await store.store({ content: 'y'.repeat(20_000) });
        await assert.rejects(store.store({ content: 'ok', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }), isInvalid('tags'));
        await assert.rejects(store.store({ content: 'ok', tags: ['a'.repeat(65)] }), isInvalid('tags.0'));
        await assert.rejects(store.store({ content: 'ok', tags: ['fine', ''] }), isInvalid('tags.1'));
        await assert.rejects(store.store({ content: 'ok', tags: [3 as unknown as string] }), isInvalid('tags.0'));
        await assert.rejects(store.store({ content: 'ok', project: 'p'.repeat(201) }), isInvalid('project'));
      });

      it('finds a reflection immediately after it is stored, with score and ISO date', async () => {
        await store.store({ content: 'Migrations must be numbered without gaps', tags: ['store'] });
        const res = await store.search({ query: 'numbered migrations' });
        // The query each dialect runs: FTS5 quoted terms; the tsquery of the English stems.
        assert.equal(res.fts_query, backend.name === 'sqlite' ? '"numbered" OR "migrations"' : "'number' | 'migrat'");
        assert.equal(res.results.length, 1);
        const hit = res.results[0]!;
        assert.equal(hit.content, 'Migrations must be numbered without gaps');
        assert.equal(hit.created_at, '2026-01-02T03:04:05.000Z');
        assert.equal(typeof hit.score, 'number');
        assert.ok(hit.score > 0);
      });

      it('ranks a reflection matching more terms first; stemming matches word forms', async () => {
        await store.store({ content: 'The dashboard shows charts' });
        tick();
        await store.store({ content: 'Flaky tests in the websocket server: testing reconnect logic' });
        tick();
        await store.store({ content: 'Websocket heartbeat every 30 seconds' });
        tick();
        await store.store({ content: 'Prometheus exporter uses prom-client' });
        tick();
        await store.store({ content: 'CLI uses commander' });
        const res = await store.search({ query: 'websocket test' });
        assert.equal(res.results.length, 2);
        // Both match "websocket"; only the first matches "test" (via "tests"/"testing" stems).
        assert.match(res.results[0]!.content, /^Flaky tests/);
        assert.ok(res.results[0]!.score > res.results[1]!.score);
      });

      it('scores keyword hits 0 to 1 relative to the best (1), in the order the ranking gave, on a small collection', async () => {
        // "websocket" is in three of four notes: in so small a collection SQLite's BM25 gives it an IDF of
        // 10⁻⁶ (FTS5's floor), so its raw scores are about 0.000001; shown relative to the best they read 1 and fractions of it.
        await store.store({ content: 'Flaky tests in the websocket server: testing reconnect logic' });
        tick();
        await store.store({ content: 'Websocket heartbeat every 30 seconds' });
        tick();
        await store.store({ content: 'websocket websocket notes', tags: ['websocket'] });
        tick();
        await store.store({ content: 'The dashboard shows charts' });
        for (const query of ['websocket', 'websocket test', 'dashboard charts']) {
          const res = await store.search({ query, mode: 'keyword' });
          const raw = await b.stores.reflections.search({
            terms: searchTerms(query),
            limit: 10,
            project: null,
            tags: [],
            file: null,
            kind: null,
            since: null,
            until: null,
          });
          assert.deepEqual(
            res.results.map((r) => r.id),
            raw.results.map((r) => r.id),
            `${query}: the order of the ranking is kept`,
          );
          const scores = res.results.map((r) => r.score);
          assert.equal(scores[0], 1, `${query}: the best match scores 1 (${scores})`);
          for (let i = 1; i < scores.length; i++) assert.ok(scores[i]! <= scores[i - 1]! && scores[i]! >= 0, `${query}: ${scores}`);
        }
        // Every note matches only the one word: none is negligible next to the best (both back-ends).
        const one = await store.search({ query: 'websocket', mode: 'keyword' });
        assert.equal(one.results.length, 3);
        assert.ok(
          one.results.every((r) => r.score >= 0.2),
          one.results.map((r) => r.score).join(', '),
        );
        // Filters only: no relevance, score 0.
        assert.deepEqual(
          (await store.search({ kind: 'note', limit: 2 })).results.map((r) => r.score),
          [0, 0],
        );
      });

      it('weighs a tag match below a content match', async () => {
        await store.store({ content: 'retry the upload', tags: ['network'] });
        await store.store({ content: 'network partitions happen', tags: ['ops'] });
        const res = await store.search({ query: 'network' });
        assert.deepEqual(
          res.results.map((r) => r.content),
          ['network partitions happen', 'retry the upload'],
        );
      });

      it('filters by project and by tags (all listed tags required)', async () => {
        await store.store({ content: 'cache invalidation note one', tags: ['cache', 'bug'], project: 'a' });
        await store.store({ content: 'cache invalidation note two', tags: ['cache'], project: 'b' });
        await store.store({ content: 'cache invalidation note three', tags: ['bug'], project: 'a' });
        assert.equal((await store.search({ query: 'cache', project: 'a' })).results.length, 2);
        const tagged = (await store.search({ query: 'cache', tags: ['cache', 'BUG'] })).results;
        assert.deepEqual(
          tagged.map((r) => r.content),
          ['cache invalidation note one'],
        );
        assert.equal((await store.search({ query: 'cache', project: 'zzz' })).results.length, 0);
      });

      it('matches tags as text', async () => {
        await store.store({ content: 'something about deployment', tags: ['kubernetes'] });
        assert.equal((await store.search({ query: 'kubernetes' })).results.length, 1);
      });

      it('respects the limit', async () => {
        for (let i = 0; i < 5; i++) await store.store({ content: `alpha note ${i}` });
        assert.equal((await store.search({ query: 'alpha', limit: 3 })).results.length, 3);
        await assert.rejects(store.search({ query: 'alpha', limit: 0 }), isInvalid('limit'));
        await assert.rejects(store.search({ query: 'alpha', limit: 101 }), isInvalid('limit'));
      });

      it('never fails on full-text syntax characters in the query', async () => {
        await store.store({ content: 'key: value with "quotes" and NEAR operator (parens) star*' });
        const queries = ['"', '"unbalanced', 'key:', 'star*', 'NEAR(a b)', 'a AND', 'OR', '(parens', '^start', "it's", '-minus', '{col}:x'];
        // tsquery syntax: operators, prefix match, weights, phrase distance, backslashes.
        queries.push('a & b', 'a | b', '!a', 'a <-> b', 'a <2> b', 'abc:*', 'x:AB', "'quoted'", '\\', '&|!()<>:*');
        for (const q of queries) await store.search({ query: q });
        assert.equal((await store.search({ query: '"quotes"' })).results.length, 1);
        assert.equal((await store.search({ query: 'NEAR' })).results.length, 1);
        assert.equal((await store.search({ query: 'operator:*' })).results.length, 1);
      });

      it('takes control characters and lone surrogates in the query as word breaks (a NUL ended the quoted term)', async () => {
        await store.store({ content: 'memory cache eviction' });
        for (const sep of ['\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\ud800']) {
          const r = await store.search({ query: `memory${sep}cache` });
          assert.equal(r.results.length, 1, JSON.stringify(sep));
        }
        assert.deepEqual(searchTerms('x\u0000y'), ['x', 'y']);
      });

      it('rejects an empty query', async () => {
        await assert.rejects(store.search({ query: '' }), isInvalid('query'));
        await assert.rejects(store.search({ query: '   ' }), isInvalid('query'));
        // Punctuation only is not an error: nothing to match, so no results.
        assert.deepEqual((await store.search({ query: '*** ::' })).results, []);
      });
    });
  }
});

describe('helpers', () => {
  it('refuses content with a lone surrogate (it would be stored altered)', async () => {
    const svc = createReflectionService({ insert: async () => assert.fail('not stored') } as never);
    await assert.rejects(svc.store({ content: 'lone surrogate \ud800 x' }), isInvalid('content'));
  });
  it('the FTS5 expression of the search terms quotes terms and doubles inner quotes', () => {
    assert.equal(ftsExpression(searchTerms('say "hi" loud')), '"say" OR """hi""" OR "loud"');
    assert.equal(ftsExpression(searchTerms('x x y')), '"x" OR "y"');
  });
  it('drops English stop words from the search terms, whatever their case or surrounding punctuation', () => {
    assert.deepEqual(searchTerms('What is the capital of France?'), ['capital', 'France?']);
    assert.deepEqual(searchTerms('"The" NEAR (or) a'), ['NEAR']);
    assert.deepEqual(searchTerms('the a of'), []);
  });
  it('contentHash ignores surrounding and repeated whitespace only', () => {
    assert.equal(contentHash(' a  b\n'), contentHash('a b'));
    assert.notEqual(contentHash('A b'), contentHash('a b'));
  });
  it('normaliseTags handles undefined', () => {
    assert.deepEqual(normaliseTags(undefined), []);
  });
  it('SQLite migration 0003 rolls back cleanly', async () => {
    const db = openDatabase(':memory:');
    const m = new Migrator(db);
    m.up();
    m.to(2);
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'reflections%'").all() as unknown[]).length;
    assert.equal(names, 0);
    m.up();
    assert.equal((await new SqliteReflectionStore(db).stats()).total, 0);
    db.close();
  });
});
