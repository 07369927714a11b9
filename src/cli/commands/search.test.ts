import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { openApp } from '../../app.js';
import { parseConfig } from '../../config.js';
import { createLogger } from '../../logger.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-search-cli-'));
const dataDir = path.join(root, 'data');

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: root, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The memory service of the data directory, as the server holds it (`embed`: every reflection gets its vector). */
async function withService(fn: (app: Awaited<ReturnType<typeof openApp>>) => Promise<void>) {
  const app = await openApp(parseConfig({ flags: { dataDir }, env: { SESSION_BUDDY_AUDIT: 'off' } }), { logger: createLogger('silent') });
  try {
    await fn(app);
  } finally {
    await app.close();
  }
}

const LONG_TAIL = ' The port is chosen by the kernel and announced on stdout, which the fixture reads line by line.'.repeat(6);

describe('session-buddy search', () => {
  before(() =>
    withService(async (app) => {
      await app.reflections.store({
        content: `The upload test is flaky on CI: the fixture server binds its port late, so the first request gets ECONNREFUSED.${LONG_TAIL}`,
        tags: ['ci', 'flaky'],
        project: 'api',
      });
      await app.reflections.store({ content: 'My automobile would not start on frosty mornings; the battery was weak', tags: ['car'], project: 'home' });
      await app.reflections.store({ content: 'Release notes go in CHANGELOG.md before tagging a release.', tags: ['release', 'ci'], project: 'web' });
    }),
  );
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('answers by keyword, saying why, while no reflection has its vector (nothing to load the model for)', () => {
    const r = run(['search', 'flaky', 'upload', 'test']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '', 'no model was loaded');
    const lines = r.out.split('\n');
    assert.match(lines[0]!, /^1 reflection\(s\) for "flaky upload test", best first; mode keyword: no reflection has its vector yet/);
    assert.match(lines[2]!, /^1\. score 1 \| \d{4}-\d\d-\d\d \d\d:\d\d UTC \| note \| project api \| tags ci, flaky$/);
    // The text trimmed after a word, its full length said.
    assert.match(lines[3]!, /^ {3}The upload test is flaky on CI: .*\S… \(\d+ characters in all; --json prints the whole text\)$/);
    assert.ok(lines[3]!.length < 400, lines[3]);
  });

  it('lists by filters only, newest first, without scores; tags repeated or comma-separated, all required', () => {
    const r = run(['search', '--tag', 'ci']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^2 reflection\(s\) for the filters, newest first; mode keyword: no query: filters only, newest first\n/);
    const heads = r.out.split('\n').filter((l) => /^\d+\. /.test(l));
    assert.deepEqual(
      heads.map((l) => l.replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC \| /, '')),
      ['1. note | project web | tags release, ci', '2. note | project api | tags ci, flaky'],
    );
    for (const args of [
      ['--tag', 'ci,release'],
      ['--tag', 'ci', '--tag', 'release'],
    ]) {
      const both = run(['search', ...args, '--json']);
      assert.equal(both.code, 0, both.err);
      assert.deepEqual(
        JSON.parse(both.out).results.map((x: { project: string }) => x.project),
        ['web'],
      );
    }
    const none = run(['search', '--project', 'nowhere']);
    assert.equal(none.code, 0, none.err);
    assert.match(none.out, /^no reflections match the filters; mode keyword/);
  });

  it('takes an age for --since and --until (that long ago), and refuses one that is not positive', () => {
    const recent = JSON.parse(run(['search', '--json', '--kind', 'note', '--since', '1h']).out) as { count: number };
    assert.equal(recent.count, 3);
    const older = JSON.parse(run(['search', '--json', '--kind', 'note', '--until', '2d']).out) as { count: number };
    assert.equal(older.count, 0);
    const zero = run(['search', '--since', '0d']);
    assert.deepEqual([zero.code, zero.err], [2, 'error: --since: must be positive\n']);
    // A refused age is named with every other bad flag, once, and masks no other rule.
    const all = run(['search', '--since', '0d', '--until', '0w', '--limit', '0', '--kind', 'memo']);
    assert.deepEqual(
      [all.code, all.err],
      [
        2,
        'error: --since: must be positive\nerror: --until: must be positive\nerror: --limit: must be an integer between 1 and 100\nerror: --kind: must be one of note, checkpoint, precompact\n',
      ],
    );
    const withDate = run(['search', '--since', '0d', '--until', '2000-01-01']);
    assert.deepEqual([withDate.code, withDate.err], [2, 'error: --since: must be positive\n']);
  });

  it('prints the search_reflections answer with --json', () => {
    const r = run(['search', 'release', 'notes', '--kind', 'note', '--since', '2000-01-01', '--limit', '5', '--mode', 'keyword', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.mode, 'keyword');
    assert.equal(j.mode_reason, null);
    assert.equal(j.count, 1);
    assert.equal(j.results[0].content, 'Release notes go in CHANGELOG.md before tagging a release.');
    assert.equal(j.results[0].score, 1);
    assert.deepEqual(Object.keys(j), ['query', 'mode', 'mode_reason', 'fts_query', 'count', 'results']);
  });

  it('waits for the embedding model once reflections have vectors, finds a paraphrase by meaning and computes no vector itself', async () => {
    await withService(async (app) => {
      await app.reflections.embeddingsReady();
      // Stored after the vectors were computed: found by keyword only, and this command must not embed it.
      await app.reflections.store({ content: 'Rotate the staging database password every quarter.', project: 'ops' });
    });
    const r = run(['search', 'car', 'battery', 'dies', 'in', 'cold', 'weather']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^loading the embedding model to search by meaning \(--mode keyword skips this\)\.\.\.\nloaded in \d+\.\d s\n$/);
    assert.match(r.out, /; mode hybrid: keyword and meaning fused; 3 of 4 reflection\(s\) have their vector, the others are found by keyword only\n/);
    assert.match(r.out, /\| project home \| tags car\n {3}found by (keyword \(#1\) and )?meaning \(#1, similarity 0\.\d+\)\n {3}My automobile would not start/);
    await withService(async (app) => {
      assert.equal((await app.reflections.stats()).embeddings.embedded, 3);
    });
    // Embeddings turned off: keyword, as the service says.
    const off = run(['search', 'battery', '--json'], { SESSION_BUDDY_EMBEDDINGS: 'off' });
    assert.equal(off.code, 0, off.err);
    assert.equal(off.err, '');
    assert.match(JSON.parse(off.out).mode_reason, /embeddings are turned off/);
  });

  it('refuses every bad flag at once, naming each and its rule (exit 2), before loading anything', () => {
    const r = run(['search', 'x', '--kind', 'memo', '--since', '2026-02-30', '--limit', '0', '--mode', 'fast', '--tag', 'ok,,']);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.deepEqual(r.err.trim().split('\n'), [
      'error: --limit: must be an integer between 1 and 100',
      'error: --mode: must be one of hybrid, keyword',
      'error: --kind: must be one of note, checkpoint, precompact',
      'error: --since: must be a date that exists (2026-02 has no day 30)',
      'error: --tag: must not be empty',
    ]);
    const order = run(['search', '--since', '2026-03-02', '--until', '2026-03-01']);
    assert.equal(order.code, 2);
    assert.equal(order.err, 'error: --until: must be after since\n');
    const nothing = run(['search']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.err, /^error: query: is required unless a filter \(project, tags, file, kind, since, until\) is given\n/);
    const blank = run(['search', '--project', ' ']);
    assert.equal(blank.code, 2);
    assert.match(blank.err, /^error: --project: must not be empty\n/);
  });

  it('refuses a named data directory without Session Buddy data, creating nothing', () => {
    const searchIn = (dataDir: string) =>
      spawnSync(process.execPath, [BIN, '--data-dir', dataDir, 'search', 'flaky'], {
        cwd: root,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: root },
        timeout: 60_000,
      });
    const missing = path.join(root, 'sesion-buddy');
    const r = searchIn(missing);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: --data-dir: no Session Buddy data at .*sesion-buddy \(nothing was created\)/);
    assert.equal(fs.existsSync(missing), false);
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    const r2 = searchIn(empty);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /^error: --data-dir: no Session Buddy database in /);
    assert.deepEqual(fs.readdirSync(empty), []);
  });
});
