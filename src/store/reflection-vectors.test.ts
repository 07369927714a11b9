/**
 * The reflection-vector part of ReflectionStore on every back-end: which
 * reflections still need a vector, storing and paging vectors (float32 values
 * kept exactly), another model's vectors counting as missing, vectors of
 * deleted reflections going with them, and search restricted to given ids.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createReflectionService } from '../memory/reflection-service.js';
import { testBackends, type OpenedBackend } from '../testing/backends.js';
import type { PreparedSearch, ReflectionStore } from './reflection-types.js';

const M = 'model-a';
const vec = (...xs: number[]) => new Float32Array(xs);
const NO_FILTER: Omit<PreparedSearch, 'terms' | 'limit'> = { project: null, tags: [], file: null, kind: null, since: null, until: null };

describe('reflection vectors (each back-end)', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let store: ReflectionStore;
      let ids: number[];

      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        store = b.stores.reflections;
      });
      beforeEach(async () => {
        if (backend.skip) return;
        await b.exec('DELETE FROM reflections');
        const service = createReflectionService(store);
        ids = [];
        for (const content of ['first note about caching', 'second note about locking', 'third note about fonts']) {
          ids.push((await service.store({ content, project: content.startsWith('third') ? 'ui' : 'db' })).id);
        }
      });
      after(async () => {
        await b?.dispose();
      });

      it('lists reflections without a vector, oldest first, and counts them', async () => {
        assert.deepEqual(
          (await store.unembedded(M, 10)).map((r) => r.id),
          ids,
        );
        assert.equal((await store.unembedded(M, 1))[0]!.content, 'first note about caching');
        await store.saveVectors(M, [{ id: ids[1]!, vector: vec(0.6, 0.8) }]);
        assert.deepEqual(
          (await store.unembedded(M, 10)).map((r) => r.id),
          [ids[0], ids[2]],
        );
        assert.deepEqual(await store.vectorCounts(M), { reflections: 3, embedded: 1 });
      });

      it('keeps float32 values exactly and pages them by id', async () => {
        const v = vec(0.1, -0.2, 1 / 3, 1e-7);
        await store.saveVectors(M, [
          { id: ids[2]!, vector: v },
          { id: ids[0]!, vector: vec(1, 0, 0, 0) },
        ]);
        const all = await store.vectorsAfter(M, 0, 10);
        assert.deepEqual(
          all.map((r) => r.id),
          [ids[0], ids[2]],
        );
        assert.deepEqual([...all[1]!.vector], [...v]);
        const page = await store.vectorsAfter(M, ids[0]!, 1);
        assert.deepEqual(
          page.map((r) => r.id),
          [ids[2]],
        );
      });

      it("another model's vector counts as missing and is replaced", async () => {
        await store.saveVectors('model-b', [{ id: ids[0]!, vector: vec(1, 0) }]);
        assert.equal((await store.vectorCounts(M)).embedded, 0);
        assert.equal((await store.unembedded(M, 10)).length, 3);
        await store.saveVectors(M, [{ id: ids[0]!, vector: vec(0, 1, 0) }]);
        assert.deepEqual(await store.vectorCounts('model-b'), { reflections: 3, embedded: 0 });
        assert.deepEqual([...(await store.vectorsAfter(M, 0, 10))[0]!.vector], [0, 1, 0]);
      });

      it('skips vectors of reflections that do not exist; deleting a reflection deletes its vector', async () => {
        await store.saveVectors(M, [
          { id: ids[0]!, vector: vec(1) },
          { id: 999_999, vector: vec(1) },
        ]);
        assert.equal((await store.vectorCounts(M)).embedded, 1);
        await b.exec(`DELETE FROM reflections WHERE id = ${ids[0]}`);
        assert.deepEqual(await store.vectorCounts(M), { reflections: 2, embedded: 0 });
      });

      it('search restricted to ids applies the filters too', async () => {
        const only = await store.search({ ...NO_FILTER, terms: [], limit: 10, ids: [ids[2]!, ids[0]!] });
        assert.deepEqual(only.results.map((r) => r.id).sort(), [ids[0], ids[2]].sort());
        const filtered = await store.search({ ...NO_FILTER, project: 'ui', terms: [], limit: 10, ids: [ids[0]!, ids[2]!] });
        assert.deepEqual(
          filtered.results.map((r) => r.id),
          [ids[2]],
        );
        const none = await store.search({ ...NO_FILTER, terms: [], limit: 10, ids: [] });
        assert.deepEqual(none.results, []);
      });
    });
  }
});
