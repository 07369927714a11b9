/**
 * `session-buddy mcp-config`, run as a user runs it: what it suggests committing to a project.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-mcp-config-'));
after(() => fs.rmSync(home, { recursive: true, force: true }));

describe('session-buddy mcp-config', () => {
  it('says the stdio .mcp.json entry is this machine’s and the HTTP one is the entry to share', () => {
    const r = spawnSync(process.execPath, [BIN, 'mcp-config'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home }, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const at = (text: string) => {
      const i = r.stdout.indexOf(text);
      assert.ok(i >= 0, `missing: ${text}\n${r.stdout}`);
      return i;
    };
    // In order: the warning, the stdio entry with this machine's paths, then the HTTP entry offered for sharing.
    const warning = at('holds paths of this machine');
    assert.ok(at('keep it out of a shared repository') > warning);
    const stdio = at('"type": "stdio"');
    const share = at('the one to commit for a team');
    const http = at('"type": "http"');
    assert.ok(warning < stdio && stdio < share && share < http, r.stdout);
  });

  it('carries a store other than the default into the stdio command, and says when it writes a password', () => {
    const run = (store: string) =>
      spawnSync(process.execPath, [BIN, 'mcp-config', '--json'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: home, SESSION_BUDDY_STORE: store },
        timeout: 60_000,
      });
    const args = (r: ReturnType<typeof run>) =>
      (JSON.parse(r.stdout) as { stdio: { mcpServers: Record<string, { args: string[] }> } }).stdio.mcpServers['session-buddy']!.args;
    const team = run('postgres://sb:secret@db.internal:5432/sb');
    assert.equal(team.status, 0, team.stderr);
    assert.deepEqual(args(team).slice(1), ['--data-dir', path.join(home, '.session-buddy'), '--store', 'postgres://sb:secret@db.internal:5432/sb', 'mcp']);
    assert.match(team.stderr, /the store URL's password is written into/);
    const file = run(`sqlite:${path.join(home, 'team.db')}`);
    assert.deepEqual(args(file).slice(1), ['--data-dir', path.join(home, '.session-buddy'), '--store', `sqlite:${path.join(home, 'team.db')}`, 'mcp']);
    assert.equal(file.stderr, '');
    // The default store (the data directory's SQLite file) is not named.
    assert.deepEqual(args(run(`sqlite:${path.join(home, '.session-buddy', 'session-buddy.db')}`)).slice(1), [
      '--data-dir',
      path.join(home, '.session-buddy'),
      'mcp',
    ]);
  });

  it('refuses a --name Claude Code would refuse (empty, a space, a slash), in one line, and takes one it accepts', () => {
    const run = (name: string) =>
      spawnSync(process.execPath, [BIN, 'mcp-config', '--json', '--name', name], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: home },
        timeout: 60_000,
      });
    assert.equal(run('').stderr, 'error: --name: must not be empty\n');
    for (const bad of ['my buddy', '@me/buddy']) {
      const r = run(bad);
      assert.equal(r.status, 2, `${bad}: ${r.stdout}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'error: --name: must be letters, digits, hyphens and underscores only (Claude Code refuses other server names)\n');
    }
    const ok = run('Buddy_2-x');
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok('Buddy_2-x' in (JSON.parse(ok.stdout) as { stdio: { mcpServers: object } }).stdio.mcpServers);
  });

  it('sends the token a server on a non-loopback bind demands: in the claude mcp add line, and as ${SESSION_BUDDY_TOKEN} in .mcp.json', () => {
    const data = path.join(home, '.session-buddy');
    fs.mkdirSync(data, { recursive: true });
    const pidFile = path.join(data, 'server.pid');
    const run = (args: string[]) =>
      spawnSync(process.execPath, [BIN, 'mcp-config', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home }, timeout: 60_000 });
    const http = (r: ReturnType<typeof run>) =>
      (JSON.parse(r.stdout) as { http: { mcpServers: Record<string, { url: string; headers?: object }> } }).http.mcpServers['session-buddy']!;
    // A live pid (this test process) stands for a server started with --host 0.0.0.0.
    fs.writeFileSync(pidFile, JSON.stringify({ pid: process.pid, host: '0.0.0.0', port: 47194, startedAt: new Date().toISOString() }));
    try {
      const open = run([]);
      assert.equal(open.status, 0, open.stderr);
      const token = fs.readFileSync(path.join(data, 'token'), 'utf8').trim();
      assert.ok(
        open.stdout.includes(
          `claude mcp add --scope user --transport http --header 'Authorization: Bearer ${token}' session-buddy http://127.0.0.1:47194/mcp\n`,
        ),
        open.stdout,
      );
      assert.match(open.stdout, /reads the token this server demands from\n# \$SESSION_BUDDY_TOKEN/);
      assert.deepEqual(http(run(['--json'])), { type: 'http', url: 'http://127.0.0.1:47194/mcp', headers: { Authorization: 'Bearer ${SESSION_BUDDY_TOKEN}' } });
      // On loopback no token is needed: none is written.
      fs.writeFileSync(pidFile, JSON.stringify({ pid: process.pid, host: '127.0.0.1', port: 47194, startedAt: new Date().toISOString() }));
      assert.deepEqual(http(run(['--json'])), { type: 'http', url: 'http://127.0.0.1:47194/mcp' });
      assert.doesNotMatch(run([]).stdout, /Authorization/);
    } finally {
      fs.rmSync(pidFile, { force: true });
    }
  });

  it('says why the token is sent when only SESSION_BUDDY_WS_REQUIRE_TOKEN=1 asks for it, not that the server demands it', () => {
    const data = path.join(home, 'env-token-data');
    fs.mkdirSync(data, { recursive: true });
    const pidFile = path.join(data, 'server.pid');
    const run = () =>
      spawnSync(process.execPath, [BIN, '--data-dir', data, 'mcp-config'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: home, SESSION_BUDDY_WS_REQUIRE_TOKEN: '1' },
        timeout: 60_000,
      });
    const because = /reads the token this shell sends because SESSION_BUDDY_WS_REQUIRE_TOKEN=1 here from\n# \$SESSION_BUDDY_TOKEN/;
    // No server runs: the variable alone decides (a server started from this shell would demand the token).
    const alone = run();
    assert.equal(alone.status, 0, alone.stderr);
    assert.match(alone.stdout, /--header 'Authorization: Bearer /);
    assert.doesNotMatch(alone.stdout, /this server demands/);
    assert.match(alone.stdout, because);
    assert.equal(alone.stderr, '');
    // A loopback server that recorded it does not demand the token: the note on stderr and the comment agree.
    fs.writeFileSync(pidFile, JSON.stringify({ pid: process.pid, host: '127.0.0.1', port: 47195, startedAt: new Date().toISOString(), tokenRequired: false }));
    try {
      const running = run();
      assert.equal(running.status, 0, running.stderr);
      assert.match(running.stderr, /does not demand the token, but accepts it/);
      assert.doesNotMatch(running.stdout, /this server demands/);
      assert.match(running.stdout, because);
    } finally {
      fs.rmSync(pidFile, { force: true });
    }
  });

  it('sends the token to a loopback server started with --ws-require-token (a flag no other shell sees), and the server takes it', async () => {
    const data = path.join(home, 'flag-data');
    const run = (args: string[]) =>
      spawnSync(process.execPath, [BIN, '--data-dir', data, '--log-level', 'error', ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: home },
        timeout: 60_000,
      });
    const start = run(['start', '--port', '0', '--ws-require-token']);
    assert.equal(start.status, 0, start.stderr);
    try {
      const url = `${/at (http:\/\/\S+)/.exec(start.stdout)?.[1]}/mcp`;
      const token = fs.readFileSync(path.join(data, 'token'), 'utf8').trim();
      const text = run(['mcp-config']);
      assert.equal(text.status, 0, text.stderr);
      assert.ok(text.stdout.includes(`--transport http --header 'Authorization: Bearer ${token}' session-buddy ${url}\n`), text.stdout);
      const json = run(['mcp-config', '--json']);
      assert.deepEqual(JSON.parse(json.stdout).http.mcpServers['session-buddy'], {
        type: 'http',
        url,
        headers: { Authorization: 'Bearer ${SESSION_BUDDY_TOKEN}' },
      });
      // What Claude Code sends with the printed header: an MCP initialize, answered; without it, 401.
      const initialize = (headers: Record<string, string>) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
          }),
        });
      assert.equal((await initialize({})).status, 401);
      const answered = await initialize({ authorization: `Bearer ${token}` });
      const body = await answered.text();
      assert.equal(answered.status, 200, body);
      assert.match(body, /"serverInfo"/);
    } finally {
      run(['stop']);
    }
  });
});
