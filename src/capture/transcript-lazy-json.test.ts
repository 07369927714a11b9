import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LazyJsonError, reduceLine } from './transcript-lazy-json.js';
import { eventsFromLine } from './transcript-pairing.js';

const tricky = 'a "quoted" \\"not a quote\\" back\\\\slash\\\\" end \u00e9\u2713 \n\t{"tool_use_id":"fake"} ] }';

const lines: unknown[] = [
  {
    type: 'user',
    timestamp: '2026-01-05T10:00:01.000Z',
    sessionId: 's',
    message: { role: 'user', content: [{ tool_use_id: 'toolu_1', type: 'tool_result', content: tricky.repeat(50), is_error: false }] },
    toolUseResult: { stdout: tricky, nested: { tool_use_id: 'decoy', timestamp: 'decoy', arr: [1, [2, { a: '}' }], null, true] } },
  },
  {
    type: 'user',
    timestamp: '2026-01-05T10:00:02.000Z',
    isSidechain: true,
    agentId: 'ag',
    message: {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_2', is_error: true, content: [{ type: 'text', text: `Error: Exit code 2\n${tricky}` }] }],
    },
  },
  {
    parentUuid: null,
    type: 'assistant',
    cwd: '/home/u/shop',
    sessionId: 's2',
    timestamp: '2026-01-05T10:00:00.000Z',
    message: {
      id: 'msg_1',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: tricky },
        { type: 'tool_use', id: 'toolu_3', name: 'Skill', input: { skill: 'code-review', note: tricky } },
        { type: 'tool_use', id: 'toolu_4', name: 'Bash', input: { command: 'npm test' } },
      ],
      usage: { input_tokens: 1, output_tokens: 2 },
    },
  },
  { type: 'user', timestamp: '2026-01-05T10:00:00.000Z', message: { role: 'user', content: tricky } },
  {
    type: 'user',
    timestamp: '2026-01-05T10:00:03.000Z',
    sessionId: 's3',
    message: {
      role: 'user',
      content: [{ type: 'text', text: `<command-message>review</command-message>\n<command-name>/review</command-name>\n${tricky.repeat(100)}` }],
    },
  },
  { type: 'summary', summary: tricky, 'we\\ird"key': 1 },
  { type: 'assistant', message: { id: 'm', content: [{ type: 'tool_use', name: 'Read', input: {} }] }, timestamp: '2026-01-05T10:00:00.000Z' },
];

describe('reduceLine', () => {
  it('gives eventsFromLine the same events as JSON.parse of the whole line', () => {
    for (const line of lines) {
      const text = JSON.stringify(line);
      for (const spaced of [text, JSON.stringify(line, null, 1).replace(/\n/g, ' ')]) {
        const lazy = eventsFromLine(reduceLine(Buffer.from(spaced)), 'fallback');
        const full = eventsFromLine(JSON.parse(spaced), 'fallback');
        assert.deepEqual(lazy, full, spaced.slice(0, 80));
      }
    }
  });

  it('keeps the pairing fields and drops the tool output', () => {
    const reduced = reduceLine(Buffer.from(JSON.stringify(lines[0])));
    assert.deepEqual(reduced, {
      type: 'user',
      timestamp: '2026-01-05T10:00:01.000Z',
      sessionId: 's',
      message: { content: [{ type: 'tool_result', tool_use_id: 'toolu_1', is_error: false }] },
    });
  });

  it('refuses broken structure', () => {
    for (const bad of ['{"a":1', '{"a" 1}', '{"a":"x}', '{"a":1}}', '{"message":{"content":[1,2}}', '{"a":}', '[1]', '{"a":1,}']) {
      assert.throws(() => reduceLine(Buffer.from(bad)), LazyJsonError, bad);
    }
  });
});

describe('reduceLine on a long error', () => {
  it('decodes the start of a long error text only, never splitting an escape or a character', () => {
    for (const pad of ['', 'a', 'ab', 'abc', 'abcd', 'abcde']) {
      const text = `Error: Exit code 1\n${pad}${'é\\"x\t'.repeat(10_000)}`;
      const line = JSON.stringify({
        type: 'user',
        timestamp: '2026-01-05T10:00:00.000Z',
        message: { content: [{ type: 'tool_result', tool_use_id: 't', is_error: true, content: text }] },
      });
      const reduced = reduceLine(Buffer.from(line)) as { message: { content: Array<{ content: string }> } };
      const got = reduced.message.content[0]!.content;
      assert.ok(got.length > 5_000 && got.length < 16_384, String(got.length));
      assert.ok(text.startsWith(got), pad);
    }
  });
});
