/**
 * `status` (human-readable) shows the fan-out state a running server's /health reports, when the
 * server has one: connected, or not, when other instances' live events come by polling meanwhile.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-status-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** A stand-in for a running server: this process (alive) in the pid file, answering /health with `fanout`. */
async function serverWith(fanout: unknown): Promise<{ dataDir: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'ok', service: 'session-buddy', fanout }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dataDir = fs.mkdtempSync(path.join(root, 'data-'));
  const { port } = server.address() as AddressInfo;
  fs.writeFileSync(path.join(dataDir, 'server.pid'), JSON.stringify({ pid: process.pid, host: '127.0.0.1', port, startedAt: new Date().toISOString() }));
  return { dataDir, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** `status` run while this process serves /health (so not spawnSync). */
async function status(dataDir: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, '--data-dir', dataDir, 'status'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: root },
    timeout: 60_000,
  });
  return stdout.trimEnd().split('\n');
}

describe('status: the fan-out of a running server', () => {
  it('shows its kind and state, and how live events arrive while it is not connected', async () => {
    const cases: Array<[unknown, string | undefined]> = [
      [{ kind: 'redis', state: 'reconnecting' }, 'fan-out:   redis, reconnecting — live events from other instances come by polling the store meanwhile'],
      [{ kind: 'redis', state: 'connected' }, 'fan-out:   redis, connected'],
      [{ kind: 'none', state: 'off' }, undefined],
    ];
    for (const [fanout, line] of cases) {
      const server = await serverWith(fanout);
      try {
        const lines = await status(server.dataDir);
        const at = lines.findIndex((l) => l.startsWith('server:'));
        assert.match(lines[at] ?? '', /^server: {4}running \(pid \d+\) at http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(lines[at + 1], line, JSON.stringify(fanout));
      } finally {
        await server.close();
      }
    }
  });
});

describe('status and doctor: calls waiting in an orphaned .draining spool file', () => {
  it('count them as spooled (a server killed while draining left them; the next start ingests them)', async () => {
    const dataDir = fs.mkdtempSync(path.join(root, 'data-'));
    const env = { PATH: process.env.PATH ?? '', HOME: root };
    await promisify(execFile)(process.execPath, [BIN, '--data-dir', dataDir, 'init'], { cwd: root, env, timeout: 60_000 });
    const line = `${JSON.stringify({ skill_name: 'Bash', session_id: 's', dedupe_key: 'k1' })}\n`;
    fs.writeFileSync(path.join(dataDir, 'spool.2147483646.abc.draining'), line);
    fs.writeFileSync(path.join(dataDir, 'spool.jsonl'), line);
    const bytes = 2 * Buffer.byteLength(line);
    assert.ok((await status(dataDir)).some((l) => l.startsWith(`hooks:     ${bytes} bytes spooled`)));
    const doctor = await promisify(execFile)(process.execPath, [BIN, '--data-dir', dataDir, 'doctor'], { cwd: root, env, timeout: 60_000 }).catch(
      (err: { stdout: string }) => err,
    );
    assert.match(doctor.stdout, new RegExp(`hook spool: ${bytes} bytes waiting`));
  });
});

describe('status: a database of an older schema that this user can write', () => {
  it('says the next command that writes (or migrate) brings it up to date, and changes nothing itself', async () => {
    const dataDir = fs.mkdtempSync(path.join(root, 'data-'));
    const env = { PATH: process.env.PATH ?? '', HOME: root };
    const run = (args: string[]) => promisify(execFile)(process.execPath, [BIN, '--data-dir', dataDir, ...args], { cwd: root, env, timeout: 60_000 });
    await run(['init']);
    await run(['migrate', '--to', '20']);
    const lines = await status(dataDir);
    assert.ok(
      lines.includes(
        'schema:    version 20 of ' +
          /of (\d+)/.exec(lines.find((l) => l.startsWith('schema:')) ?? '')![1] +
          " — older than this program's: the next command that writes (or `session-buddy migrate`) brings it up to date",
      ),
      lines.join('\n'),
    );
    assert.match((await run(['migrate', '--status'])).stdout, /^schema version 20 of \d+$/m);
  });
});
