/** `session-buddy import` as a user runs it: CLAUDE_CONFIG_DIR list, cursors across runs, bad lines reported. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-import-cli-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, 'import', '--data-dir', path.join(root, 'data'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: path.join(root, 'home'), ...env },
    cwd: root,
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const ts = (s: number) => new Date(Date.UTC(2026, 0, 5, 10) + s * 1000).toISOString();
const use = (id: string, s: number) =>
  JSON.stringify({
    type: 'assistant',
    sessionId: 'cli',
    timestamp: ts(s),
    message: { id: `m${id}`, content: [{ type: 'tool_use', id, name: 'Bash', input: { command: 'npm test' } }] },
  });
const res = (id: string, s: number) =>
  JSON.stringify({ type: 'user', sessionId: 'cli', timestamp: ts(s), message: { content: [{ type: 'tool_result', tool_use_id: id, content: 'ok' }] } });

describe('session-buddy import (CLI)', () => {
  it('reads every CLAUDE_CONFIG_DIR entry, then only what changed, and names bad lines', () => {
    const a = path.join(root, 'claude-a');
    const b = path.join(root, 'claude-b');
    const fa = path.join(a, 'projects', 'p1', 'cli.jsonl');
    fs.mkdirSync(path.dirname(fa), { recursive: true });
    fs.writeFileSync(fa, `${use('t1', 0)}\n${res('t1', 1)}\n`);
    const fb = path.join(b, 'projects', 'p2', 'cli2.jsonl');
    fs.mkdirSync(path.dirname(fb), { recursive: true });
    fs.writeFileSync(fb, `${use('t2', 0)}\n{"type":"user","message":\n${res('t2', 2)}\n`);
    const env = { CLAUDE_CONFIG_DIR: `${a},${b},${path.join(root, 'missing')}` };

    const first = run(['--json'], env);
    assert.equal(first.code, 0, first.err);
    const s1 = JSON.parse(first.out);
    assert.deepEqual([s1.files, s1.inserted, s1.malformed], [2, 2, 1]);
    assert.match(first.err, new RegExp(`malformed line skipped: ${fb.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: `));

    const second = run(['--json'], env);
    const s2 = JSON.parse(second.out);
    assert.deepEqual([s2.files, s2.unchanged, s2.bytes, s2.inserted], [0, 2, 0, 0]);

    fs.appendFileSync(fa, `${use('t3', 5)}\n${res('t3', 6)}\n`);
    const third = run([], env);
    assert.equal(third.code, 0, third.err);
    assert.match(
      third.out,
      /imported 1 file\(s\), 2 line\(s\): 1 tool call\(s\), 1 new, 0 already recorded; 1 unchanged file\(s\) skipped; 1 file\(s\) read from where the last import stopped/,
    );
  });

  it('skips a line over --max-line-mib as malformed and imports the files after it', () => {
    const dir = path.join(root, 'big-line');
    fs.mkdirSync(dir, { recursive: true });
    const huge = JSON.stringify({
      type: 'user',
      timestamp: ts(1),
      message: { content: [{ type: 'tool_result', tool_use_id: 'h1', content: 'z'.repeat(300_000) }] },
    });
    fs.writeFileSync(path.join(dir, 'a.jsonl'), `${use('h1', 0)}\n${huge}\n${use('h2', 2)}\n${res('h2', 3)}\n`);
    fs.writeFileSync(path.join(dir, 'b.jsonl'), `${use('h3', 0)}\n${res('h3', 1)}\n`);
    const r = run([dir, '--json', '--max-line-mib', '0.1', '--data-dir', path.join(root, 'data-big')], {});
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    // h2 and h3 completed; h1, whose result was the skipped line, failed (no_result: the conversation went on)
    assert.deepEqual([s.files, s.malformed, s.inserted, s.pending], [2, 1, 3, 0]);
    assert.match(r.err, /a\.jsonl:2: oversize/);
    assert.notEqual(run([dir, '--max-line-mib', '0'], {}).code, 0);
  });

  it('says where it looked when there is nothing to import, and does not fail (a new machine)', () => {
    const r = run([], { CLAUDE_CONFIG_DIR: path.join(root, 'nowhere') });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^nothing to import: no Claude Code transcripts yet \(.*nowhere.projects not found;/);
    const j = run(['--json'], { CLAUDE_CONFIG_DIR: path.join(root, 'nowhere') });
    assert.equal(j.code, 0, j.err);
    assert.deepEqual([JSON.parse(j.out).files, JSON.parse(j.out).inserted], [0, 0]);
    assert.match(j.err, /nowhere.projects not found/);
    // The data directory is set up all the same (a new machine following the README: `doctor` next).
    const fresh = path.join(root, 'fresh-data');
    const f = spawnSync(process.execPath, [BIN, 'import', '--data-dir', fresh], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: path.join(root, 'home'), CLAUDE_CONFIG_DIR: path.join(root, 'nowhere') },
      cwd: root,
      timeout: 60_000,
    });
    assert.equal(f.status, 0, f.stderr);
    assert.match(f.stdout, /data directory ready: .*fresh-data\n$/);
    assert.ok(fs.existsSync(path.join(fresh, 'session-buddy.db')));
  });

  it('counts attributed API calls per rule: a call under both rules is not two calls', () => {
    const dir = path.join(root, 'costs');
    fs.mkdirSync(dir, { recursive: true });
    const call = (id: string, s: number, extra: Record<string, unknown> = {}, content: unknown[] = [{ type: 'text', text: 'working' }]) =>
      JSON.stringify({
        type: 'assistant',
        sessionId: 'cost',
        timestamp: ts(s),
        message: { id, model: 'claude-opus-5', role: 'assistant', content, usage: { input_tokens: 100, output_tokens: 10 } },
        ...extra,
      });
    const prompt = (s: number) => JSON.stringify({ type: 'user', sessionId: 'cost', timestamp: ts(s), message: { role: 'user', content: 'go on' } });
    // m1 makes the Skill call; m2 and m3 are the skill's, under both rules (stamped and bounded).
    fs.writeFileSync(
      path.join(dir, 'cost.jsonl'),
      `${[
        prompt(0),
        call('m1', 1, {}, [{ type: 'tool_use', id: 'sk1', name: 'Skill', input: { skill: 'deploy' } }]),
        JSON.stringify({
          type: 'user',
          sessionId: 'cost',
          timestamp: ts(2),
          message: { content: [{ type: 'tool_result', tool_use_id: 'sk1', content: 'ok' }] },
        }),
        call('m2', 3, { attributionSkill: 'deploy' }),
        call('m3', 4, { attributionSkill: 'deploy' }),
        prompt(5),
      ].join('\n')}\n`,
    );
    const data = ['--data-dir', path.join(root, 'data-costs')];
    const first = run([dir, ...data], {});
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /\n3 API call\(s\); attributed to skills: 2 stamped, 2 bounded \(4 new\) \[prices /);
    const again = run([dir, '--full', '--json', ...data], {});
    assert.equal(again.code, 0, again.err);
    const c = JSON.parse(again.out).costs;
    assert.deepEqual([c.calls, c.attributed, c.attributedByRule, c.inserted, c.duplicates], [3, 4, { stamped: 2, bounded: 2 }, 0, 4]);
    const plain = run([dir, '--full', ...data], {});
    assert.match(plain.out, /attributed to skills: 2 stamped, 2 bounded \(0 new, 4 already recorded\)/);
  });

  it('counts the attributions of a call without a price as such, not as that many unpriced calls', () => {
    const dir = path.join(root, 'unpriced');
    fs.mkdirSync(dir, { recursive: true });
    const line = (type: string, s: number, message: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ type, sessionId: 'unpriced', timestamp: ts(s), message, ...extra });
    const usage = { input_tokens: 100, output_tokens: 10 };
    // m2, of a model the price table does not have, is the skill's under both rules: one call, two attributions.
    fs.writeFileSync(
      path.join(dir, 'unpriced.jsonl'),
      `${[
        line('user', 0, { role: 'user', content: 'go' }),
        line('assistant', 1, {
          id: 'm1',
          model: 'claude-opus-5',
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'sk1', name: 'Skill', input: { skill: 'deploy' } }],
          usage,
        }),
        line('user', 2, { content: [{ type: 'tool_result', tool_use_id: 'sk1', content: 'ok' }] }),
        line(
          'assistant',
          3,
          { id: 'm2', model: 'mystery-model', role: 'assistant', content: [{ type: 'text', text: 'x' }], usage },
          { attributionSkill: 'deploy' },
        ),
        line('user', 4, { role: 'user', content: 'thanks' }),
      ].join('\n')}\n`,
    );
    const r = run([dir, '--data-dir', path.join(root, 'data-unpriced')], {});
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /\n2 API call\(s\); attributed to skills: 1 stamped, 1 bounded \(2 new\); 2 of those attributions with no price for their model \(cost unknown, tokens counted\): mystery-model \[prices /,
    );
  });

  it('says what it did with unchanged files whose calls it settled, and that calls without a result are not recorded by this import', () => {
    const dir = path.join(root, 'settle');
    fs.mkdirSync(dir, { recursive: true });
    // t1 has its result; t2 and t3 have none yet (their transcripts were just written).
    fs.writeFileSync(path.join(dir, 'a.jsonl'), `${use('s1', 0)}\n${res('s1', 1)}\n${use('s2', 2)}\n`);
    fs.writeFileSync(path.join(dir, 'b.jsonl'), `${use('s3', 0)}\n`);
    const data = ['--no-costs', '--data-dir', path.join(root, 'data-settle')];
    const first = run([dir, ...data], {});
    assert.equal(first.code, 0, first.err);
    assert.match(
      first.out,
      /^imported 2 file\(s\), 4 line\(s\): 1 tool call\(s\), 1 new, 0 already recorded; 2 call\(s\) without a result yet in transcripts still being written: not recorded by this import\n$/,
    );
    // Unchanged files are not read again; their calls without a result are settled (failed) without reading them.
    const settled = run([dir, '--settle-minutes', '0', ...data], {});
    assert.equal(settled.code, 0, settled.err);
    assert.equal(
      settled.out,
      'imported 0 file(s), 0 line(s): 2 tool call(s), 2 new, 0 already recorded; 2 unchanged file(s) skipped, 2 of them settled (their calls left without a result recorded as failed)\n',
    );
    // Read again whole: the calls stored as failed are not "still running" and not recorded twice.
    const full = run([dir, '--full', ...data], {});
    assert.equal(full.code, 0, full.err);
    assert.equal(
      full.out,
      'imported 2 file(s), 4 line(s): 1 tool call(s), 0 new, 1 already recorded; 2 call(s) without a result yet in transcripts still being written: not recorded by this import\n',
    );
  });

  it('refuses a named path that does not exist', () => {
    const r = run([path.join(root, 'typo')], {});
    assert.equal(r.code, 2);
    assert.match(r.err, /paths: not found: .*typo/);
  });
});

describe('import on a disk that fills mid-run', () => {
  it('does not claim that nothing was written: what it recorded stays, and a re-run continues', async () => {
    const { importError } = await import('./import.js');
    const sqliteFull = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const e = importError(sqliteFull, root) as { code: string; message: string; cause: unknown };
    assert.equal(e.code, 'DISK_FULL');
    assert.doesNotMatch(e.message, /nothing was written/);
    assert.match(e.message, /^disk full: free space on the data directory's file system, then run the import again: .*stay recorded, .*continues/);
    assert.equal(e.cause, sqliteFull);
    const other = Object.assign(new Error('boom'), { code: 'EIO' });
    assert.equal(importError(other, root), other);
  });
});
