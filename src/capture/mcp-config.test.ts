import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMcpConfig, mcpHttpUrl, shellQuote } from './mcp-config.js';

describe('mcp-config', () => {
  it('builds stdio and HTTP registrations', () => {
    const c = buildMcpConfig();
    assert.equal(c.stdio.command, 'claude mcp add session-buddy -- npx session-buddy mcp');
    assert.deepEqual(c.stdio.json, { mcpServers: { 'session-buddy': { type: 'stdio', command: 'npx', args: ['session-buddy', 'mcp'] } } });
    assert.equal(c.http.command, 'claude mcp add --transport http session-buddy http://127.0.0.1:8678/mcp');
    assert.deepEqual(c.http.json, { mcpServers: { 'session-buddy': { type: 'http', url: 'http://127.0.0.1:8678/mcp' } } });
  });

  it('quotes arguments that need it', () => {
    const c = buildMcpConfig({ name: 'sb', command: 'node', args: ['/opt/my dir/bin.js', 'mcp'], url: mcpHttpUrl('0.0.0.0', 9000) });
    assert.equal(c.stdio.command, "claude mcp add sb -- node '/opt/my dir/bin.js' mcp");
    assert.equal(c.http.command, 'claude mcp add --transport http sb http://127.0.0.1:9000/mcp');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote(''), "''");
  });

  it('brackets IPv6 hosts', () => {
    assert.equal(mcpHttpUrl('::', 8678), 'http://[::1]:8678/mcp');
    assert.equal(mcpHttpUrl('::1', 1), 'http://[::1]:1/mcp');
  });
});
