/**
 * search_reflections through the SDK's real Client: the mode that answered is
 * in the output (hybrid with the bundled model; keyword with its reason
 * before the model is loaded, when asked for, or when turned off).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { callErr, callOk, connectInMemory, createTestApp, type TestApp } from '../../testing/harness.js';

interface SearchOut {
  mode: 'hybrid' | 'keyword';
  mode_reason: string | null;
  count: number;
  results: { id: number; content: string; score: number; ranks?: { keyword: number | null; meaning: number | null } }[];
}

const CACHE_NOTE = 'Memory usage grows when the cache never evicts old entries';
// Shares no word with the notes; means the cache note (cosine 0.58 with it, above the meaning-only floor of 0.5).
const PARAPHRASE = 'RAM consumption climbs because stale data is kept forever';

describe('search_reflections modes', () => {
  let app: TestApp;
  let client: Client;

  before(async () => {
    app = createTestApp({ env: { SESSION_BUDDY_EMBEDDINGS: 'on' } });
    client = await connectInMemory(app.createMcpServer('test'));
    for (const content of [CACHE_NOTE, 'The dashboard colour scheme uses a dark palette', 'Pin the compiler version to avoid surprise upgrades']) {
      await callOk(client, 'store_reflection', { content });
    }
  });
  after(async () => {
    await client?.close();
    await app?.dispose();
  });

  it('says keyword answered, and why, while the model is not loaded', async () => {
    const res = (await client.callTool({ name: 'search_reflections', arguments: { query: PARAPHRASE } })) as CallToolResult;
    const out = res.structuredContent as unknown as SearchOut;
    assert.equal(out.mode, 'keyword');
    assert.match(out.mode_reason ?? '', /not loaded yet/);
    assert.equal(out.count, 0);
    const text = res.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
    assert.match(text, /Mode: keyword \(the embedding model is not loaded yet/);
  });

  it('answers in hybrid mode once loaded and finds the paraphrase', async () => {
    await app.reflections.embeddingsReady();
    const res = (await client.callTool({ name: 'search_reflections', arguments: { query: PARAPHRASE, limit: 2 } })) as CallToolResult;
    const out = res.structuredContent as unknown as SearchOut;
    assert.equal(out.mode, 'hybrid');
    assert.equal(out.mode_reason, null);
    assert.equal(out.results[0]!.content, CACHE_NOTE);
    assert.deepEqual(out.results[0]!.ranks, { keyword: null, meaning: 1 });
    const text = res.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
    assert.match(text, /Mode: hybrid\./);
    const stats = await callOk<{ total: number; embeddings: { state: string; reason: string | null; embedded: number } }>(client, 'reflection_stats', {});
    assert.deepEqual([stats.total, stats.embeddings.state, stats.embeddings.reason, stats.embeddings.embedded], [3, 'ready', null, 3]);
  });

  it('finds nothing for nonsense once the model is loaded, as before it was', async () => {
    await app.reflections.embeddingsReady();
    const res = (await client.callTool({ name: 'search_reflections', arguments: { query: 'zzzqqq xylophone' } })) as CallToolResult;
    const out = res.structuredContent as unknown as SearchOut;
    assert.deepEqual([out.mode, out.count], ['hybrid', 0]);
    const text = res.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
    assert.match(text, /^No reflections match "zzzqqq xylophone"\./);
  });

  it('mode keyword runs BM25 only', async () => {
    const out = await callOk<SearchOut>(client, 'search_reflections', { query: PARAPHRASE, mode: 'keyword' });
    assert.deepEqual([out.mode, out.mode_reason, out.count], ['keyword', null, 0]);
    const hit = await callOk<SearchOut>(client, 'search_reflections', { query: 'cache', mode: 'keyword' });
    assert.equal(hit.results[0]!.content, CACHE_NOTE);
    assert.equal(hit.results[0]!.ranks, undefined);
    // The best hit scores 1 (relative to the best), not BM25's raw 0.000001-scale number of a small collection.
    assert.equal(hit.results[0]!.score, 1);
    const res = (await client.callTool({ name: 'search_reflections', arguments: { query: 'cache', mode: 'keyword' } })) as CallToolResult;
    assert.match(res.content.map((c) => (c.type === 'text' ? c.text : '')).join(''), /^1 reflection\(s\) for "cache":\n1\. \[score 1, /);
  });

  it('rejects an unknown mode naming the field', async () => {
    const { text } = await callErr(client, 'search_reflections', { query: 'cache', mode: 'semantic' });
    assert.match(text, /mode/);
  });
});

describe('search_reflections with embeddings turned off', () => {
  it('answers by keyword and names the switch', async () => {
    const app = createTestApp({ env: { SESSION_BUDDY_EMBEDDINGS: 'off' } });
    try {
      const client = await connectInMemory(app.createMcpServer('test'));
      await callOk(client, 'store_reflection', { content: CACHE_NOTE });
      const out = await callOk<SearchOut>(client, 'search_reflections', { query: 'cache' });
      assert.equal(out.mode, 'keyword');
      assert.match(out.mode_reason ?? '', /SESSION_BUDDY_EMBEDDINGS=off/);
      assert.equal(out.count, 1);
      const stats = await callOk<{ embeddings: { state: string; embedded: number } }>(client, 'reflection_stats', {});
      assert.deepEqual([stats.embeddings.state, stats.embeddings.embedded], ['off', 0]);
      await client.close();
    } finally {
      await app.dispose();
    }
  });
});
