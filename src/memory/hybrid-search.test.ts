/**
 * Search by meaning with the real embedding model in its worker, over each
 * back-end: the background backfill, recording that does not wait for the
 * model, a paraphrase that keyword search misses and hybrid search finds,
 * filters applied to the meaning candidates, and the stated fallbacks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends, type OpenedBackend } from '../testing/backends.js';
import { EMBEDDING_MODEL, ReflectionEmbedder } from './reflection-embedder.js';
import { createReflectionService, MEANING_ONLY_MIN_SIMILARITY, type ReflectionService } from './reflection-service.js';

const NOTES = [
  { content: 'Enable write-ahead logging so readers are never blocked by the writer', project: 'db' },
  { content: 'The dashboard colour scheme uses a dark palette with high contrast', project: 'ui' },
  { content: 'Pin the compiler version in package.json to avoid surprise upgrades', project: 'build' },
  { content: 'Flaky end-to-end checks were caused by a race in the login fixture', project: 'ui' },
  { content: 'Memory usage grows when the cache never evicts old entries', project: 'db' },
];
// Shares no word with any note (so BM25 finds nothing); means the cache note (cosine 0.58 with it).
const PARAPHRASE = 'RAM consumption climbs because stale data is kept forever';

describe('hybrid reflection search (real model, in a worker)', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let embedder: ReflectionEmbedder;
      let service: ReflectionService;
      // While set, the embedder's vector writes wait for it: the test decides when the background write lands.
      let hold: Promise<void> | null = null;

      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        const reflections = b.stores.reflections;
        const gated = new Proxy(reflections, {
          get(target, prop) {
            if (prop === 'saveVectors') {
              return async (...args: Parameters<typeof reflections.saveVectors>) => {
                await hold;
                return target.saveVectors(...args);
              };
            }
            const value: unknown = Reflect.get(target, prop, target);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        embedder = new ReflectionEmbedder({ store: gated, enabled: true, batchSize: 2 });
        service = createReflectionService(b.stores.reflections, { embedder });
      });
      after(async () => {
        await embedder?.close();
        await b?.dispose();
      });

      it('answers by keyword, saying why, until the model is loaded; the first search starts it', async () => {
        for (const n of NOTES) await service.store(n);
        assert.equal(embedder.status().state, 'idle');
        const first = await service.search({ query: PARAPHRASE });
        assert.equal(first.mode, 'keyword');
        assert.match(first.mode_reason ?? '', /not loaded yet/);
        assert.deepEqual(first.results, []);
        assert.notEqual(embedder.status().state, 'idle'); // loading was started
      });

      it('backfills the vectors of reflections stored before the model ran', async () => {
        await embedder.start();
        await embedder.idle();
        assert.equal(embedder.status().state, 'ready');
        assert.deepEqual(await b.stores.reflections.vectorCounts(EMBEDDING_MODEL), { reflections: 5, embedded: 5 });
        const [stored] = await b.stores.reflections.vectorsAfter(EMBEDDING_MODEL, 0, 1);
        assert.equal(stored!.vector.length, 512);
        const norm = Math.sqrt(stored!.vector.reduce((s, x) => s + x * x, 0));
        assert.ok(Math.abs(norm - 1) < 1e-4, `unit length, got ${norm}`);
      });

      it('finds a paraphrase that keyword search misses', async () => {
        const keyword = await service.search({ query: PARAPHRASE, mode: 'keyword' });
        assert.equal(keyword.mode, 'keyword');
        assert.equal(keyword.mode_reason, null);
        assert.deepEqual(keyword.results, []);

        const hybrid = await service.search({ query: PARAPHRASE, limit: 3 });
        assert.equal(hybrid.mode, 'hybrid');
        assert.equal(hybrid.mode_reason, null);
        assert.equal(hybrid.results[0]!.content, NOTES[4]!.content);
        assert.deepEqual(hybrid.results[0]!.ranks, { keyword: null, meaning: 1 });
        assert.equal(hybrid.results[0]!.score, 1); // the best hit (its raw fused rank is 1/61)
        assert.ok((hybrid.results[0]!.similarity ?? 0) >= MEANING_ONLY_MIN_SIMILARITY, String(hybrid.results[0]!.similarity));
        // Only notes clearing the floor are found by meaning alone (the others score 0.19 to 0.43 with it).
        assert.deepEqual(
          hybrid.results.map((r) => r.content),
          [NOTES[4]!.content],
        );
      });

      it('finds nothing for a query about nothing stored (no note is similar enough to be a meaning candidate)', async () => {
        // No word in common with any note either, so the keyword list is empty too.
        const r = await service.search({ query: 'zebra giraffe savanna' });
        assert.equal(r.mode, 'hybrid');
        assert.deepEqual(r.results, []);
        // Its common words ("what", "is", "the", "of") are no keyword match either.
        const q = await service.search({ query: 'what is the capital of France' });
        assert.deepEqual(q.results, []);
        // Words the model does not know score up to 0.47 with some note (here 0.24 to 0.47): below the floor of a meaning-only hit.
        for (const query of ['zzzqqq xylophone', 'zzzqqq', 'lorem ipsum dolor', 'ipsum', 'abc123 def456']) {
          const n = await service.search({ query });
          assert.equal(n.mode, 'hybrid');
          assert.deepEqual(
            n.results.map((r) => [r.content, r.similarity]),
            [],
            query,
          );
        }
      });

      it('keeps keyword hits and applies the filters to the meaning candidates', async () => {
        const both = await service.search({ query: 'cache memory', limit: 5 });
        assert.equal(both.mode, 'hybrid');
        assert.equal(both.results[0]!.content, NOTES[4]!.content); // first in both lists
        assert.deepEqual(both.results[0]!.ranks, { keyword: 1, meaning: 1 });
        // Scores relative to the best: 1, then each hit's fused rank over the best one's (2/61), e.g. 0.5 when first in one list only.
        assert.equal(both.results[0]!.score, 1);
        for (const r of both.results.slice(1)) {
          const raw = (r.ranks!.keyword ? 1 / (60 + r.ranks!.keyword) : 0) + (r.ranks!.meaning ? 1 / (60 + r.ranks!.meaning) : 0);
          assert.equal(r.score, Number((raw / (2 / 61)).toPrecision(3)), JSON.stringify(r.ranks));
        }
        // Shares no word with any note; means the colour-scheme note of project ui (cosine 0.55).
        const filtered = await service.search({ query: 'night mode visuals', project: 'ui', limit: 5 });
        assert.equal(filtered.mode, 'hybrid');
        assert.deepEqual(
          filtered.results.map((r) => r.content),
          [NOTES[1]!.content],
        );
        const elsewhere = await service.search({ query: 'night mode visuals', project: 'db', limit: 5 });
        assert.deepEqual(elsewhere.results, []);
      });

      it('recording does not wait for the embedding: the vector is written afterwards', async () => {
        let release!: () => void;
        hold = new Promise((resolve) => {
          release = resolve;
        });
        // store() returns while the background vector write is still held back: it does not wait for it.
        const saved = await service.store({ content: 'My automobile would not start on frosty mornings; the battery was weak' });
        assert.equal(saved.created, true);
        assert.deepEqual(await b.stores.reflections.vectorCounts(EMBEDDING_MODEL), { reflections: 6, embedded: 5 });
        release();
        hold = null;
        await embedder.idle();
        assert.deepEqual(await b.stores.reflections.vectorCounts(EMBEDDING_MODEL), { reflections: 6, embedded: 6 });
        // No word in common with any note (PostgreSQL drops stop words, SQLite does not: none are used).
        const found = await service.search({ query: 'vehicle refuses ignition throughout winter', limit: 1 });
        assert.equal(found.results[0]!.id, saved.id, JSON.stringify(found.results.map((r) => [r.id, r.ranks, r.content.slice(0, 20)])));
      });
    });
  }

  it('a search during a long backfill batch is answered between its chunks, before the batch is stored', async () => {
    const [sqlite] = await testBackends();
    const b = await sqlite!.open();
    const reflections = b.stores.reflections;
    let batchAsked!: () => void;
    const asked = new Promise<void>((resolve) => {
      batchAsked = resolve;
    });
    // Tells the test when the embedder has fetched its first batch (it posts the batch to the worker right after).
    const watched = new Proxy(reflections, {
      get(target, prop) {
        if (prop === 'unembedded') {
          return async (...args: Parameters<typeof reflections.unembedded>) => {
            const rows = await target.unembedded(...args);
            if (rows.length > 0) batchAsked();
            return rows;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const embedder = new ReflectionEmbedder({ store: watched, enabled: true, batchSize: 32 });
    try {
      const service = createReflectionService(reflections, { embedder });
      for (let i = 0; i < 32; i++) await service.store({ content: `Note ${i}: ${NOTES[i % NOTES.length]!.content} (seen in run ${i * 7})` });
      await embedder.start();
      await asked;
      await new Promise((resolve) => setImmediate(resolve)); // the batch of 32 is posted to the worker
      const near = await embedder.nearest(PARAPHRASE, 5);
      assert.ok(Array.isArray(near.hits));
      // The worker answered before finishing the batch: none of its 32 vectors is stored yet.
      assert.deepEqual(await reflections.vectorCounts(EMBEDDING_MODEL), { reflections: 32, embedded: 0 });
      await embedder.idle();
      assert.deepEqual(await reflections.vectorCounts(EMBEDDING_MODEL), { reflections: 32, embedded: 32 });
    } finally {
      await embedder.close();
      await b.dispose();
    }
  });

  it('a worker that cannot start: keyword, with the failure as the reason', async () => {
    const [sqlite] = await testBackends();
    const b = await sqlite!.open();
    try {
      const embedder = new ReflectionEmbedder({ store: b.stores.reflections, enabled: true, entry: new URL('file:///nonexistent/embedding-worker.js') });
      const service = createReflectionService(b.stores.reflections, { embedder });
      await service.store({ content: 'Memory usage grows when the cache never evicts old entries' });
      await embedder.start();
      assert.equal(embedder.status().state, 'failed');
      const r = await service.search({ query: 'cache' });
      assert.equal(r.mode, 'keyword');
      assert.match(r.mode_reason ?? '', /embedding (model could not be loaded|worker)/);
      assert.equal(r.results.length, 1);
      await embedder.close();
    } finally {
      await b.dispose();
    }
  });

  it('turned off: keyword, with the switch named as the reason', async () => {
    const [sqlite] = await testBackends();
    const b = await sqlite!.open();
    try {
      const embedder = new ReflectionEmbedder({ store: b.stores.reflections, enabled: false });
      const service = createReflectionService(b.stores.reflections, { embedder });
      await service.store({ content: 'Memory usage grows when the cache never evicts old entries' });
      const r = await service.search({ query: 'cache' });
      assert.equal(r.mode, 'keyword');
      assert.match(r.mode_reason ?? '', /SESSION_BUDDY_EMBEDDINGS=off/);
      assert.equal(r.results.length, 1);
      assert.equal(embedder.status().state, 'off');
    } finally {
      await b.dispose();
    }
  });
});
