import assert from 'node:assert/strict';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, it } from 'node:test';
import { HOUR_MS } from '../../analytics/types.js';
import { connectInMemory, createTestApp } from '../../testing/harness.js';

const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);

describe('get_community_baselines text', () => {
  it('counts as "+N more" the matching skills the text does not name, whatever the limit and with user_id', async () => {
    const app = createTestApp({ now: () => NOW });
    try {
      // 8 skills, s0 … s7, each run 3 times by u1.
      await app.tracker.trackBatch(
        Array.from({ length: 24 }, (_, i) => ({
          skill_name: `s${i % 8}`,
          user_id: 'u1',
          session_id: 'a',
          workflow_phase: 'implementation' as const,
          completed: true,
          duration_ms: 100,
          invoked_at: NOW - HOUR_MS + i * 1000,
        })),
      );
      const client = await connectInMemory(app.createMcpServer('t'));
      const text = async (args: Record<string, unknown>) => {
        const r = (await client.callTool({ name: 'get_community_baselines', arguments: args })) as CallToolResult;
        assert.notEqual(r.isError, true);
        return (r.content[0] as { text: string }).text;
      };
      const named = (t: string) => t.match(/\d+× by/g)?.length ?? 0;
      const more = (t: string) => Number(t.match(/; \+(\d+) more\./)?.[1] ?? 0);
      for (const user of [{}, { user_id: 'u1' }]) {
        // limit 3: 3 named, 5 not named (not 8 − 5 = 3).
        const three = await text({ limit: 3, ...user });
        assert.match(three, /^Baselines of 8 skill\(s\) \(3 listed\)/);
        assert.deepEqual([named(three), more(three)], [3, 5], three);
        // limit 5: 5 named, 3 more.
        const five = await text({ limit: 5, ...user });
        assert.deepEqual([named(five), more(five)], [5, 3], five);
        // The default limit lists all 8; the text names 5: 3 more.
        const all = await text({ ...user });
        assert.deepEqual([named(all), more(all)], [5, 3], all);
        // One skill asked for: named, nothing more.
        const one = await text({ skill_name: 's2', ...user });
        assert.deepEqual([named(one), more(one)], [1, 0], one);
        assert.match(one, /\.( |$)/);
      }
      await client.close();
    } finally {
      await app.dispose();
    }
  });
});
