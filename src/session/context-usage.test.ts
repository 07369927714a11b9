import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { findTranscript, readContextUsage } from './context-usage.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-context-usage-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const assistant = (usage: Record<string, number>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'assistant', timestamp: '2026-03-01T10:00:00.000Z', message: { model: 'claude-x', usage }, ...extra });

function transcript(name: string, lines: string[]): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

describe('context usage from a transcript', () => {
  it('measures the last main-thread assistant message against the 200k window', () => {
    const f = transcript('a.jsonl', [
      assistant({ input_tokens: 10, output_tokens: 5 }),
      JSON.stringify({ type: 'user', message: { content: 'hi' } }),
      // 1,000 + 20,000 + 130,000 + 2,000 = 153,000 of 200,000 = 0.765 → compact
      assistant({ input_tokens: 1000, cache_creation_input_tokens: 20000, cache_read_input_tokens: 130000, output_tokens: 2000 }),
      assistant({ input_tokens: 190000, output_tokens: 1 }, { isSidechain: true }), // a subagent: skipped
      '{"type":"assistant", torn',
    ]);
    const u = readContextUsage(f);
    assert.ok(u.measured);
    assert.deepEqual(
      [u.usedTokens, u.windowTokens, u.ratio, u.recommendCompact, u.model, u.at],
      [153000, 200000, 0.765, true, 'claude-x', '2026-03-01T10:00:00.000Z'],
    );
    assert.match(u.reason, /^153000 of 200000 tokens in use \(76\.5%\), at or above the 75% threshold: compact now/);
  });

  it('below the threshold: no advice to compact; above 200k: the 1M window is assumed', () => {
    const low = readContextUsage(transcript('b.jsonl', [assistant({ input_tokens: 50000, output_tokens: 0 })]));
    assert.ok(low.measured);
    assert.deepEqual([low.ratio, low.recommendCompact], [0.25, false]);
    const big = readContextUsage(transcript('c.jsonl', [assistant({ input_tokens: 300000, output_tokens: 0 })]));
    assert.ok(big.measured);
    assert.deepEqual([big.windowTokens, big.ratio, big.recommendCompact], [1000000, 0.3, false]);
    assert.match(big.reason, /1,000,000-token window is assumed/);
  });

  it('missing, unreadable or usage-free transcripts are "not measured" with the reason', () => {
    const missing = readContextUsage(path.join(tmp, 'nope.jsonl'));
    assert.equal(missing.measured, false);
    assert.match(missing.measured ? '' : missing.reason, /^transcript not readable/);
    const dir = readContextUsage(tmp);
    assert.equal(dir.measured, false);
    const none = readContextUsage(transcript('d.jsonl', ['not json', JSON.stringify({ type: 'user' })]));
    assert.deepEqual(none, { measured: false, reason: 'no assistant message with token usage in the last 512 KiB of the transcript' });
  });

  it('finds the newest transcript of a directory in the Claude Code projects folder', () => {
    const claude = path.join(tmp, 'claude');
    const folder = path.join(claude, 'projects', '-home-u-my-shop');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'old.jsonl'), '');
    fs.writeFileSync(path.join(folder, 'new.jsonl'), '');
    fs.utimesSync(path.join(folder, 'old.jsonl'), new Date(1000), new Date(1000));
    assert.equal(findTranscript([path.join(tmp, 'other'), claude], '/home/u/my_shop'), path.join(folder, 'new.jsonl'));
    assert.equal(findTranscript([claude], '/home/u/elsewhere'), null);
  });
});
