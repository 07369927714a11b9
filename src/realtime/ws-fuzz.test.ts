/**
 * Fuzzing the /ws protocol: thousands of generated invalid messages of every
 * client message type, first against the parser (never throws, always a
 * structured error naming a field), then against a live server over many
 * connections (every bad message answered with an error frame, the server and
 * the connections stay up, nothing is written to the database).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { mulberry32 } from '../analytics/prng.js';
import { startHttpServer } from '../server/http-server.js';
import { createTestApp } from '../testing/harness.js';
import { createRealtime } from './realtime-mounts.js';
import { CLIENT_MESSAGE_TYPES, parseClientMessage } from './ws-protocol.js';

const HOSTILE: unknown[] = [
  null,
  true,
  -1,
  1e308,
  0.5,
  '',
  'x'.repeat(200),
  "'; DROP TABLE skills; --",
  '\u0000',
  '☃\u202e',
  [],
  [null],
  {},
  { $ne: 1 },
  2,
  '1',
];
const FIELDS = ['v', 'type', 'skills', 'channels', 'skill', 'hours', 'id', 'extra'];

/** A message of `type` with one to three fields broken, or raw garbage. */
function generate(rand: () => number, type: string): string {
  const roll = rand();
  if (roll < 0.1) return pick(rand, ['', '{', 'null', '[]', '"text"', '{"v":1', 'x'.repeat(1000), '\u0000\u0001']);
  const msg: Record<string, unknown> = { v: 1, type };
  if (type === 'subscribe') msg.skills = '*';
  if (type === 'get_trend') msg.skill = 'run-tests';
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) msg[pick(rand, FIELDS)] = pick(rand, HOSTILE);
  return JSON.stringify(msg);
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

describe('WebSocket protocol under fuzzing', () => {
  it('parses thousands of invalid messages of every type into structured errors, never throwing', () => {
    const rand = mulberry32(404);
    let errors = 0;
    for (const type of CLIENT_MESSAGE_TYPES) {
      for (let i = 0; i < 2500; i++) {
        const raw = generate(rand, type);
        const r = parseClientMessage(raw);
        if (!r.ok) {
          errors++;
          assert.equal(r.error.type, 'error');
          assert.equal(r.error.v, 1);
          assert.equal(r.error.code, 'INVALID_INPUT');
          assert.ok(r.error.message.length > 0);
        }
      }
    }
    assert.ok(errors > 5000, `only ${errors} of 10000 generated messages were rejected`);
  });

  it('answers invalid messages on a live server with error frames and stays up', async () => {
    const app = createTestApp();
    const rt = await createRealtime(app, { dashboard: false });
    const http = await startHttpServer(app, rt.mounts);
    try {
      const rand = mulberry32(405);
      // 40 connections × 15 messages stays under the per-connection limit of 20 messages a second.
      const connections = 40;
      const perConnection = 15;
      const results = await Promise.all(
        Array.from({ length: connections }, async (_, c) => {
          const ws = new WebSocket(`ws://127.0.0.1:${http.port}/ws`);
          await new Promise<void>((resolve, reject) => {
            ws.once('open', () => resolve());
            ws.once('error', reject);
          });
          let errorFrames = 0;
          let sentInvalid = 0;
          ws.on('message', (data) => {
            const m = JSON.parse(String(data)) as { type: string };
            if (m.type === 'error') errorFrames++;
          });
          for (let i = 0; i < perConnection; i++) {
            const raw = generate(rand, CLIENT_MESSAGE_TYPES[(c + i) % CLIENT_MESSAGE_TYPES.length]!);
            if (!parseClientMessage(raw).ok) sentInvalid++;
            ws.send(raw);
          }
          // A valid ping afterwards must still be answered: the connection survived.
          ws.send(JSON.stringify({ v: 1, type: 'ping', id: `after-${c}` }));
          const pong = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 5000);
            ws.on('message', (data) => {
              const m = JSON.parse(String(data)) as { type: string; id?: string };
              if (m.type === 'pong' && m.id === `after-${c}`) {
                clearTimeout(timer);
                resolve(true);
              }
            });
          });
          ws.close();
          return { errorFrames, sentInvalid, pong, open: true };
        }),
      );
      for (const r of results) {
        assert.ok(r.pong, 'a connection stopped answering after invalid messages');
        assert.equal(r.errorFrames, r.sentInvalid, 'every invalid message gets exactly one error frame');
      }
      const health = await fetch(`${http.url}/health`);
      assert.equal(health.status, 200);
      assert.equal(app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 0);
    } finally {
      await http.close();
      await rt.close();
      await app.dispose();
    }
  });
});
