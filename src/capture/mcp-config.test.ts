import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryArgv, entryCommandLine } from './entry-command.js';
import { buildMcpConfig, mcpHttpUrl, shellQuote } from './mcp-config.js';

describe('mcp-config', () => {
  it('builds user-scoped stdio and HTTP registrations with absolute paths', () => {
    const [command, ...args] = entryArgv({ node: '/usr/bin/node', script: '/opt/sb/bin/session-buddy.js' }, '/home/ann/.session-buddy', ['mcp']);
    const c = buildMcpConfig({ command: command!, args, url: mcpHttpUrl('127.0.0.1', 8678) });
    assert.equal(
      c.stdio.command,
      'claude mcp add --scope user session-buddy -- /usr/bin/node /opt/sb/bin/session-buddy.js --data-dir /home/ann/.session-buddy mcp',
    );
    assert.deepEqual(c.stdio.json, {
      mcpServers: {
        'session-buddy': { type: 'stdio', command: '/usr/bin/node', args: ['/opt/sb/bin/session-buddy.js', '--data-dir', '/home/ann/.session-buddy', 'mcp'] },
      },
    });
    assert.equal(c.http.command, 'claude mcp add --scope user --transport http session-buddy http://127.0.0.1:8678/mcp');
    assert.deepEqual(c.http.json, { mcpServers: { 'session-buddy': { type: 'http', url: 'http://127.0.0.1:8678/mcp' } } });
    assert.doesNotMatch(c.stdio.command, /npx/);
  });

  it('quotes arguments that need it', () => {
    const c = buildMcpConfig({ name: 'sb', command: 'node', args: ['/opt/my dir/bin.js', 'mcp'], url: mcpHttpUrl('0.0.0.0', 9000) });
    assert.equal(c.stdio.command, "claude mcp add --scope user sb -- node '/opt/my dir/bin.js' mcp");
    assert.equal(c.http.command, 'claude mcp add --scope user --transport http sb http://127.0.0.1:9000/mcp');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote(''), "''");
    assert.equal(entryCommandLine({ node: '/n', script: '/my dir/sb.js' }, '/d', ['hook']), "/n '/my dir/sb.js' --data-dir /d hook");
  });

  it('brackets IPv6 hosts', () => {
    assert.equal(mcpHttpUrl('::', 8678), 'http://[::1]:8678/mcp');
    assert.equal(mcpHttpUrl('::1', 1), 'http://[::1]:1/mcp');
  });
});
