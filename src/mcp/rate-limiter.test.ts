import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callErr, callOk, connectInMemory, createTestApp } from '../testing/harness.js';
import { RateLimiter } from './rate-limiter.js';

describe('rate limiter', () => {
  it('allows a burst of `capacity` calls, then refills at the configured rate, per client', () => {
    let now = 0;
    const rl = new RateLimiter({ capacity: 3, refillPerSecond: 2 }, () => now);
    for (let i = 0; i < 3; i++) rl.take('a');
    assert.throws(
      () => rl.take('a'),
      (err: Error & { code?: string; details?: { retry_after_ms?: number } }) => {
        assert.equal(err.code, 'RATE_LIMITED');
        // Empty bucket, 2 tokens/s: the next token arrives in 500 ms.
        assert.equal(err.details?.retry_after_ms, 500);
        return true;
      },
    );
    rl.take('b'); // another client has its own bucket
    now = 499;
    assert.throws(() => rl.take('a'));
    now = 500;
    rl.take('a');
  });

  it('answers an MCP client over its budget with a RATE_LIMITED tool error', async () => {
    const app = createTestApp({ env: { SESSION_BUDDY_RATE_LIMIT: '2/0.001' } });
    try {
      const client = await connectInMemory(app.createMcpServer('greedy'));
      await callOk(client, 'get_real_time_metrics', {});
      await callOk(client, 'get_real_time_metrics', {});
      const limited = await callErr(client, 'get_real_time_metrics', {});
      assert.equal(limited.error?.code, 'RATE_LIMITED');
      assert.match(limited.text, /rate limit exceeded/);
      await client.close();
    } finally {
      await app.dispose();
    }
  });
});
