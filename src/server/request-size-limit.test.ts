import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectInMemory, createTestApp } from '../testing/harness.js';
import { MAX_BODY_BYTES } from './http-server.js';
import { MAX_STDIO_REQUEST_BYTES, requestTooLargeMessage, requestTooLargeResponse } from './request-size-limit.js';

const MiB = 1024 * 1024;

describe('the answer to a request over the size limit', () => {
  it('names the size, rounded up so it never reads as within the limit, and the limit', () => {
    assert.equal(requestTooLargeMessage(12.25 * MiB, 10 * MiB, 'stdio'), 'request of 12.3 MiB is larger than the 10 MiB a request may be over stdio');
    assert.equal(requestTooLargeMessage(10 * MiB + 1, 10 * MiB, 'stdio'), 'request of 10.1 MiB is larger than the 10 MiB a request may be over stdio');
    assert.equal(requestTooLargeMessage(12 * MiB, 10 * MiB, 'stdio'), 'request of 12 MiB is larger than the 10 MiB a request may be over stdio');
    assert.equal(requestTooLargeMessage(null, 4 * MiB, 'HTTP'), 'request is larger than the 4 MiB a request may be over HTTP');
    assert.deepEqual(requestTooLargeResponse(7, 11 * MiB, 10 * MiB, 'stdio'), {
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32600, message: 'request of 11 MiB is larger than the 10 MiB a request may be over stdio' },
    });
  });

  it('is what track_skill_invocations tells a client to stay under: the HTTP and the stdio limit', async () => {
    const app = createTestApp();
    try {
      const client = await connectInMemory(app.createMcpServer('t'));
      const { tools } = await client.listTools();
      const description = tools.find((t) => t.name === 'track_skill_invocations')?.description ?? '';
      assert.ok(description.includes(`at most ${MAX_BODY_BYTES / MiB} MiB of JSON over HTTP and ${MAX_STDIO_REQUEST_BYTES / MiB} MiB over stdio`), description);
      await client.close();
    } finally {
      await app.dispose();
    }
  });
});
