import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../analytics/prng.js';
import { EventDecoder, eventsFromLine, type LineTuple, lineTuple, type TranscriptEvent } from './transcript-pairing.js';

describe('EventDecoder', () => {
  it('decodes a run of lines as each line alone, while their sessions, folders and models change', () => {
    // The decoder keeps what it derived from the line before when a raw value repeats: lines drawn
    // at random from a few sessions (some without one), folders and models, against a fresh decode of each.
    const r = mulberry32(3);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const sessions = ['s-1', 's-2', '', undefined, 42];
    const cwds = ['/home/a/proj', '/home/a/other/', undefined, '  ', null];
    const models = ['claude-sonnet-4-5', 'claude-opus-4-1', '', undefined];
    const lines = Array.from({ length: 400 }, (_, i) => {
      const ts = new Date(Date.UTC(2026, 0, 5) + i * 1000).toISOString();
      const common = { timestamp: ts, sessionId: pick(sessions), cwd: pick(cwds), isSidechain: r() < 0.2, agentId: pick(['a1', undefined]) };
      if (r() < 0.5) {
        const content = [{ type: 'tool_use', id: `t${i}`, name: pick(['Read', 'Bash', 'Skill']), input: { skill: 'pdf', command: 'npm test' } }];
        return { ...common, type: 'assistant', message: { id: `m${i % 7}`, model: pick(models), usage: { input_tokens: i, output_tokens: 2 }, content } };
      }
      if (r() < 0.5)
        return {
          ...common,
          type: 'user',
          message: { content: [{ type: 'tool_result', tool_use_id: `t${i - 1}`, is_error: r() < 0.3, content: 'timed out' }] },
        };
      return { ...common, type: 'user', message: { content: pick(['fix it', '<command-name>/review</command-name>']) } };
    });
    const decoder = new EventDecoder('fallback', true);
    const sessionsSeen = new Set<string>();
    for (const line of lines) {
      const events: TranscriptEvent[] = [];
      const ok = decoder.decode(lineTuple(line) as LineTuple, events);
      assert.deepEqual({ events, ok }, eventsFromLine(line, 'fallback', true));
      for (const e of events) if ('sessionId' in e) sessionsSeen.add(e.sessionId);
    }
    assert.deepEqual([...sessionsSeen].sort(), ['fallback', 's-1', 's-2']);
  });
});
