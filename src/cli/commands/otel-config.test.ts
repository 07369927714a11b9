import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-otel-config-'));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('session-buddy otel-config', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the shell lines and the settings.json env for the configured port, without a token on loopback', () => {
    const r = run(['otel-config', '--port', '7142']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^export OTEL_LOGS_EXPORTER=otlp$/m);
    assert.match(r.out, /^export OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf$/m);
    assert.match(r.out, /^export OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:7142$/m);
    assert.doesNotMatch(r.out, /Authorization/);
    assert.doesNotMatch(r.out, /No server is running/); // a typed --port names a server, not this data directory's
    assert.match(run(['otel-config']).out, new RegExp(`^# No server is running for ${dir} now: this is for one started with this shell's settings`, 'm'));
    const json = run(['otel-config', '--port', '7142', '--json']);
    assert.equal(JSON.parse(json.out).env.CLAUDE_CODE_ENABLE_TELEMETRY, '1');
  });

  it('refuses port 0 (a free port a starting server picks: no endpoint), from the flag or the environment, before making a token', () => {
    const fresh = path.join(dir, 'fresh');
    const r = spawnSync(process.execPath, [BIN, '--data-dir', fresh, 'otel-config', '--port', '0', '--token'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir },
    });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'error: --port: must be 1-65535 (the port the server listens on)\n');
    assert.equal(r.stdout, '');
    assert.equal(fs.existsSync(path.join(fresh, 'token')), false);
    assert.equal(run(['otel-config'], { SESSION_BUDDY_PORT: '0' }).err, 'error: SESSION_BUDDY_PORT: must be 1-65535 (the port the server listens on)\n');
  });

  it('adds the installation token header when asked (and a non-loopback bind demands it)', () => {
    const r = run(['otel-config', '--port', '7142', '--token', '--json']);
    assert.equal(r.code, 0, r.err);
    const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
    assert.equal(JSON.parse(r.out).env.OTEL_EXPORTER_OTLP_HEADERS, `Authorization=Bearer ${token}`);
    const open = run(['otel-config', '--host', '0.0.0.0', '--port', '7142', '--json']);
    assert.equal(open.code, 0, open.err);
    assert.equal(JSON.parse(open.out).env.OTEL_EXPORTER_OTLP_HEADERS, `Authorization=Bearer ${token}`);
  });

  it('points at the running server, with the token its non-loopback bind demands; a typed --host or --port names another server', () => {
    const pidFile = path.join(dir, 'server.pid');
    // A live pid (this test process) stands for a server started with --host 0.0.0.0 --port 47197.
    fs.writeFileSync(pidFile, JSON.stringify({ pid: process.pid, host: '0.0.0.0', port: 47197, startedAt: new Date().toISOString() }));
    try {
      const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
      const env = (args: string[]) => {
        const r = run(['otel-config', '--json', ...args]);
        assert.equal(r.code, 0, r.err);
        return JSON.parse(r.out).env as Record<string, string>;
      };
      const running = env([]);
      assert.equal(running.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:47197');
      assert.equal(running.OTEL_EXPORTER_OTLP_HEADERS, `Authorization=Bearer ${token}`);
      const other = env(['--port', '7142']);
      assert.equal(other.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:7142');
      assert.equal(other.OTEL_EXPORTER_OTLP_HEADERS, undefined);
      const team = env(['--host', 'sb.team.example']);
      assert.equal(team.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://sb.team.example:8678');
      assert.equal(team.OTEL_EXPORTER_OTLP_HEADERS, `Authorization=Bearer ${token}`);
    } finally {
      fs.rmSync(pidFile, { force: true });
    }
  });

  it('sends the token to a loopback server started with --ws-require-token (a flag no other shell sees), and the server takes it', async () => {
    const start = run(['--log-level', 'error', 'start', '--port', '0', '--ws-require-token']);
    assert.equal(start.code, 0, start.err);
    try {
      const base = /at (http:\/\/\S+)/.exec(start.out)?.[1];
      const r = run(['otel-config', '--json']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      const env = JSON.parse(r.out).env as Record<string, string>;
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, base);
      const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
      assert.equal(env.OTEL_EXPORTER_OTLP_HEADERS, `Authorization=Bearer ${token}`);
      // What Claude Code's exporter sends with those headers: an (empty) OTLP logs request, taken; without them, 401.
      const logs = (headers: Record<string, string>) =>
        fetch(`${env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf', ...headers },
          body: new Uint8Array(),
        });
      assert.equal((await logs({})).status, 401);
      const [name, value] = env.OTEL_EXPORTER_OTLP_HEADERS.split('=') as [string, string];
      const taken = await logs({ [name]: value });
      assert.equal(taken.status, 200, await taken.text());
    } finally {
      run(['stop']);
    }
  });

  it('says why it sends the token when SESSION_BUDDY_WS_REQUIRE_TOKEN=1 here but the running server does not demand it', () => {
    const pidFile = path.join(dir, 'server.pid');
    // A live pid (this test process) stands for a server started on loopback without --ws-require-token.
    fs.writeFileSync(pidFile, JSON.stringify({ pid: process.pid, host: '127.0.0.1', port: 47198, startedAt: new Date().toISOString(), tokenRequired: false }));
    try {
      const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
      const asked = run(['otel-config', '--json'], { SESSION_BUDDY_WS_REQUIRE_TOKEN: '1' });
      assert.equal(asked.code, 0, asked.err);
      assert.equal(JSON.parse(asked.out).env.OTEL_EXPORTER_OTLP_HEADERS, `Authorization=Bearer ${token}`);
      assert.equal(
        asked.err,
        `note: the token is included because SESSION_BUDDY_WS_REQUIRE_TOKEN=1 here; the running server (pid ${process.pid}) was started without it and does not demand the token, but accepts it\n`,
      );
      const plain = run(['otel-config', '--json']);
      assert.equal(plain.err, '');
      assert.equal(JSON.parse(plain.out).env.OTEL_EXPORTER_OTLP_HEADERS, undefined);
    } finally {
      fs.rmSync(pidFile, { force: true });
    }
  });
});
