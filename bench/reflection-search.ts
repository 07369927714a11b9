/**
 * Search by meaning: does hybrid search (BM25 fused with sentence embeddings
 * by reciprocal-rank fusion) find more of the labelled relevant reflections
 * than BM25 alone, and how fast is it at 10,000 reflections?
 *
 * The labelled set is bench/reflection-corpus.ts: 55 hand-written queries,
 * each with 4 hand-written relevant notes that paraphrase it (220), padded
 * with generated distractor notes to RECALL_SIZE reflections. Everything runs
 * through the reflection service of a real app (SQLite file, embedding model
 * in its worker), as the search_reflections tool does.
 *
 *   npm run bench:search                 (recall at 1,020 reflections, then latency at 10,000)
 *   npm run bench:search -- --quick      (recall only)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { mulberry32 } from '../src/analytics/prng.js';
import { l2Normalise, nearestByDot } from '../src/analytics/rank-fusion.js';
import { createApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { EMBEDDING_MODEL, ReflectionEmbedder } from '../src/memory/reflection-embedder.js';
import { loadTensorOps, VectorIndex } from '../src/memory/vector-index.js';
import { contentWords, distractors, TOPICS } from './reflection-corpus.js';

const RECALL_SIZE = 1_020;
const LATENCY_SIZE = 10_000;
const WARMUP = 20;
const MEASURED = 200;
const quick = process.argv.includes('--quick');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-search-'));
const app = createApp(parseConfig({ flags: { dataDir: dir }, env: { SESSION_BUDDY_EMBEDDINGS: 'on' } }), { logger: createLogger('silent') });
const service = app.reflections;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const ms = (x: number) => x.toFixed(1);
/** CPU time of the whole process (main thread, embedding worker, SQLite), ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = () => os.loadavg()[0]!.toFixed(1);
/** "p50 …, p95 …" of wall-clock and CPU times, and the 1-minute load average before → after. */
const figures = (wall: number[], cpu: number[], load0: string) =>
  `wall p50 ${ms(pct(wall, 50))} ms, p95 ${ms(pct(wall, 95))} ms, max ${ms(Math.max(...wall))} ms; CPU p50 ${ms(pct(cpu, 50))} ms, p95 ${ms(pct(cpu, 95))} ms; load ${load0} → ${load()}`;

/** Stores one by one, each in its own event-loop turn (as requests arriving over a transport are). */
async function storeAll(contents: string[]): Promise<{ ids: number[]; times: number[] }> {
  const ids: number[] = [];
  const times: number[] = [];
  for (const content of contents) {
    await nextTurn();
    const t = performance.now();
    const r = await service.store({ content });
    times.push(performance.now() - t);
    ids.push(r.id);
  }
  return { ids, times };
}

try {
  // 1. The labelled corpus, interleaved so relevant notes are not all at one end of the id range.
  const filler = distractors(LATENCY_SIZE);
  const labelled = TOPICS.flatMap((topic, t) => topic.notes.map((content) => ({ content, topic: t })));
  const first: { content: string; topic: number | null }[] = filler.slice(0, RECALL_SIZE - labelled.length).map((content) => ({ content, topic: null }));
  labelled.forEach((l, i) => first.splice(Math.floor((i * first.length) / labelled.length) + i, 0, l));
  const stored = await storeAll(first.map((f) => f.content));
  const relevant = TOPICS.map(() => new Set<number>());
  first.forEach((f, i) => {
    if (f.topic !== null) relevant[f.topic]!.add(stored.ids[i]!);
  });
  console.log(
    `stored ${first.length} reflections (${labelled.length} labelled for ${TOPICS.length} queries), embeddings not running: store p50 ${ms(pct(stored.times, 50))} ms, p95 ${ms(pct(stored.times, 95))} ms`,
  );

  // Word overlap between each query and its relevant notes (content words, stop words removed).
  let zero = 0;
  let shared = 0;
  for (const topic of TOPICS) {
    const q = contentWords(topic.query);
    const noteWords = new Set(topic.notes.flatMap((n) => [...contentWords(n)]));
    const common = [...q].filter((w) => noteWords.has(w)).length;
    shared += common / q.size;
    if (common === 0) zero += 1;
  }
  console.log(
    `query/target overlap: ${zero} of ${TOPICS.length} queries share no content word with any of their 4 notes; mean share of query words found in the notes ${(shared / TOPICS.length).toFixed(2)}`,
  );

  // 2. Backfill the vectors.
  let t = performance.now();
  await service.embeddingsReady();
  const backfillS = (performance.now() - t) / 1000;
  console.log(`model load + backfill of ${first.length} vectors: ${backfillS.toFixed(1)} s (${Math.round(first.length / backfillS)} reflections/s)`);

  // 3. recall@10 of both modes.
  const recall = { keyword: 0, hybrid: 0 };
  const found = { keyword: 0, hybrid: 0 };
  let hybridBetter = 0;
  let keywordBetter = 0;
  for (const [i, topic] of TOPICS.entries()) {
    const per: Record<string, number> = {};
    for (const mode of ['keyword', 'hybrid'] as const) {
      const r = await service.search({ query: topic.query, limit: 10, mode });
      if (r.mode !== mode) throw new Error(`asked ${mode}, got ${r.mode}: ${r.mode_reason}`);
      const hits = r.results.filter((x) => relevant[i]!.has(x.id)).length;
      per[mode] = hits;
      recall[mode] += hits / relevant[i]!.size;
      if (hits > 0) found[mode] += 1;
    }
    if (per.hybrid! > per.keyword!) hybridBetter += 1;
    if (per.keyword! > per.hybrid!) keywordBetter += 1;
  }
  const n = TOPICS.length;
  console.log(`recall@10 over ${n} queries at ${first.length} reflections: BM25 ${(recall.keyword / n).toFixed(3)}, hybrid ${(recall.hybrid / n).toFixed(3)}`);
  console.log(
    `queries with at least one relevant note in the top 10: BM25 ${found.keyword}/${n}, hybrid ${found.hybrid}/${n}; hybrid better on ${hybridBetter}, BM25 better on ${keywordBetter}`,
  );

  if (!quick) {
    // 4. Grow to 10,000 while the embedder runs in the background: does recording wait? And how long
    // does a search wait for the backfill (every 50th store is followed by a hybrid search)?
    const rest = filler.slice(RECALL_SIZE - labelled.length, LATENCY_SIZE - labelled.length);
    const during: number[] = [];
    const storeTimes: number[] = [];
    let load0 = load();
    for (let i = 0; i < rest.length; i += 50) {
      storeTimes.push(...(await storeAll(rest.slice(i, i + 50))).times);
      const s = performance.now();
      const r = await service.search({ query: TOPICS[(i / 50) % n]!.query, limit: 10 });
      if (r.mode === 'hybrid') during.push(performance.now() - s);
    }
    console.log(
      `stored ${rest.length} more while the embedder worked in the background: store p50 ${ms(pct(storeTimes, 50))} ms, p95 ${ms(pct(storeTimes, 95))} ms; load ${load0} → ${load()}`,
    );
    console.log(
      `hybrid search during that backfill, ${during.length} calls: p50 ${ms(pct(during, 50))} ms, p95 ${ms(pct(during, 95))} ms, max ${ms(Math.max(...during))} ms`,
    );
    t = performance.now();
    await service.embeddingsReady();
    console.log(
      `rest of the backfill after the last store: ${((performance.now() - t) / 1000).toFixed(1)} s; ${JSON.stringify(await app.stores.reflections.vectorCounts(EMBEDDING_MODEL))}`,
    );

    // 5. Search latency at 10,000 reflections, wall-clock and CPU time (each call embeds its query afresh:
    // there is no cache; the 55 queries are cycled, so one query's repeats are 55 calls apart).
    for (const mode of ['keyword', 'hybrid'] as const) {
      const wall: number[] = [];
      const cpu: number[] = [];
      load0 = load();
      for (let k = 0; k < WARMUP + MEASURED; k++) {
        const topic = TOPICS[k % n]!;
        const c = cpuMs();
        const s = performance.now();
        const r = await service.search({ query: topic.query, limit: 10, mode });
        if (k >= WARMUP) {
          wall.push(performance.now() - s);
          cpu.push(cpuMs() - c);
        }
        if (r.mode !== mode) throw new Error(`asked ${mode}, got ${r.mode}`);
      }
      console.log(`${mode} search at ${LATENCY_SIZE} reflections, ${MEASURED} calls: ${figures(wall, cpu, load0)}`);
    }

    console.log(`RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB (main thread + embedding worker, ${LATENCY_SIZE} vectors)`);

    // 6. Where the meaning side's time goes: a second embedder over the same store, asked directly.
    const probe = new ReflectionEmbedder({ store: app.stores.reflections, enabled: true });
    await probe.start();
    const parts = { embed: [] as number[], scan: [] as number[], rest: [] as number[], total: [] as number[] };
    for (let k = 0; k < WARMUP + MEASURED; k++) {
      const s = performance.now();
      const r = await probe.nearest(TOPICS[k % n]!.query, 100);
      if (k < WARMUP) continue;
      const total = performance.now() - s;
      parts.total.push(total);
      parts.embed.push(r.embedMs);
      parts.scan.push(r.scanMs);
      parts.rest.push(total - r.embedMs - r.scanMs);
    }
    await probe.close();
    console.log(
      `meaning side alone (worker, ${probe.status().indexed} vectors), p50 / p95 ms: embed the query ${ms(pct(parts.embed, 50))} / ${ms(pct(parts.embed, 95))}, scan ${ms(pct(parts.scan, 50))} / ${ms(pct(parts.scan, 95))}, message round trip ${ms(pct(parts.rest, 50))} / ${ms(pct(parts.rest, 95))}, total ${ms(pct(parts.total, 50))} / ${ms(pct(parts.total, 95))}`,
    );

    // 7. The scan alone on random unit vectors: the worker's index (WASM backend) and the plain-JavaScript reference.
    const tf = await loadTensorOps();
    const rnd = mulberry32(1);
    const dims = 512;
    const matrix = new Float32Array(LATENCY_SIZE * dims);
    const index = new VectorIndex(tf, dims);
    for (let r = 0; r < LATENCY_SIZE; r++) {
      const v = l2Normalise(Float32Array.from({ length: dims }, () => rnd() - 0.5));
      matrix.set(v, r * dims);
      index.add(r + 1, v);
    }
    const rowIds = Array.from({ length: LATENCY_SIZE }, (_, i) => i + 1);
    for (const [name, scan] of [
      ['vector index (WASM SIMD, as in the worker)', (q: Float32Array) => index.nearest(q, 100)],
      ['plain JavaScript (nearestByDot)', (q: Float32Array) => nearestByDot(matrix, dims, rowIds, q, 100)],
    ] as const) {
      const wall: number[] = [];
      const cpu: number[] = [];
      load0 = load();
      for (let k = 0; k < WARMUP + MEASURED; k++) {
        const q = l2Normalise(Float32Array.from({ length: dims }, () => rnd() - 0.5));
        const c = cpuMs();
        const s = performance.now();
        scan(q);
        if (k >= WARMUP) {
          wall.push(performance.now() - s);
          cpu.push(cpuMs() - c);
        }
      }
      console.log(`cosine scan of ${LATENCY_SIZE} x ${dims} (top 100), ${name}, ${MEASURED} scans: ${figures(wall, cpu, load0)}`);
    }
    index.dispose();
  }
} finally {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
