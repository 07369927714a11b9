/** Transcript import cursors (cursor-types.ts) on every back-end. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TranscriptCursor } from './cursor-types.js';
import { testBackends, type OpenedBackend } from '../testing/backends.js';

const cursor = (path: string, over: Partial<TranscriptCursor> = {}): TranscriptCursor => ({
  path,
  size: 6_000_000_000,
  mtimeMs: 1_764_000_000_123.5,
  offset: 5_999_999_000,
  lineCount: 1234,
  headHash: 'h'.repeat(64),
  tailHash: 't'.repeat(64),
  state: '{"uses":[]}',
  ...over,
});

describe('TranscriptCursorStore', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      before(async () => {
        if (!backend.skip) b = await backend.open();
      });
      after(async () => {
        await b?.dispose();
      });

      it('returns what was put, for the paths asked, and replaces on a second put', async () => {
        const c = b.stores.transcriptCursors;
        await c.put([cursor('/p/a.jsonl'), cursor("/p/it's b.jsonl", { offset: 10 })], 1000);
        assert.deepEqual([...(await c.get(['/p/a.jsonl', '/p/none.jsonl'])).values()], [cursor('/p/a.jsonl')]);
        await c.put([cursor('/p/a.jsonl', { offset: 42, lineCount: 3, state: '{}' })], 2000);
        const got = await c.get(['/p/a.jsonl', "/p/it's b.jsonl"]);
        assert.equal(got.size, 2);
        assert.deepEqual(got.get('/p/a.jsonl'), cursor('/p/a.jsonl', { offset: 42, lineCount: 3, state: '{}' }));
        assert.equal(got.get("/p/it's b.jsonl")?.offset, 10);
        assert.deepEqual(await c.get([]), new Map());
      });
    });
  }
});
