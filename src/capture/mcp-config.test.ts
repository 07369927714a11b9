import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryArgv, entryCommandLine } from './entry-command.js';
import { buildMcpConfig, isSessionBuddyServer, mcpHttpUrl, shellQuote } from './mcp-config.js';

describe('mcp-config', () => {
  it('builds user-scoped stdio and HTTP registrations with absolute paths', () => {
    const [command, ...args] = entryArgv(
      { node: '/usr/bin/node', script: '/opt/sb/bin/session-buddy.js' },
      { dataDir: '/home/ann/.session-buddy', store: null },
      ['mcp'],
    );
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
    assert.equal(entryCommandLine({ node: '/n', script: '/my dir/sb.js' }, { dataDir: '/d', store: null }, ['hook']), "/n '/my dir/sb.js' --data-dir /d hook");
  });

  it("recognises Session Buddy's own server by what it runs, whatever its name", () => {
    const [command, ...args] = entryArgv(
      { node: '/usr/bin/node', script: '/opt/sb/bin/session-buddy.js' },
      { dataDir: '/home/ann/.session-buddy', store: null },
      ['mcp'],
    );
    const written = buildMcpConfig({ name: 'my-recorder', command: command!, args, url: mcpHttpUrl('127.0.0.1', 8678) });
    assert.equal(isSessionBuddyServer('my-recorder', written.stdio.json.mcpServers['my-recorder']!), true);
    // The README's line, the npm-linked command, options in --opt=value form, a Windows path.
    assert.equal(isSessionBuddyServer('x', { command: '/usr/bin/node', args: ['/home/ann/sb/bin/session-buddy.js', 'mcp'] }), true);
    assert.equal(isSessionBuddyServer('x', { command: 'session-buddy', args: ['--store=postgres://db/sb', 'mcp'] }), true);
    assert.equal(isSessionBuddyServer('x', { command: 'node.exe', args: ['C:\\sb\\bin\\session-buddy.js', '--log-level', 'warn', 'mcp'] }), true);
    // Not its MCP server: another command of it, another program, `mcp` as an option's value, no entry point.
    assert.equal(isSessionBuddyServer('x', { command: 'session-buddy', args: ['start'] }), false);
    assert.equal(isSessionBuddyServer('x', { command: '/usr/bin/node', args: ['/opt/other/server.js', 'mcp'] }), false);
    assert.equal(isSessionBuddyServer('x', { command: 'session-buddy', args: ['--data-dir', 'mcp', 'status'] }), false);
    assert.equal(isSessionBuddyServer('session-buddy', { command: 'other-mcp' }), false);
    assert.equal(isSessionBuddyServer('x', { command: 'session-buddy', args: 'mcp' }), false);
    // HTTP names no command: the registration mcp-config writes (its name and /mcp).
    const http = written.http.json.mcpServers['my-recorder']!;
    assert.equal(isSessionBuddyServer('session-buddy', http), true);
    assert.equal(isSessionBuddyServer('session-buddy', { url: 'https://example.invalid/other' }), false);
  });

  it('brackets IPv6 hosts', () => {
    assert.equal(mcpHttpUrl('::', 8678), 'http://[::1]:8678/mcp');
    assert.equal(mcpHttpUrl('::1', 1), 'http://[::1]:1/mcp');
  });
});
