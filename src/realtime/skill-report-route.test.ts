/**
 * `GET /api/skill-report` on the real server: its parameters are checked as a tool's arguments are, so a
 * misspelt or repeated one is refused with the parameter named instead of answered with the defaults.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHttpServer, type RunningHttpServer } from '../server/http-server.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { createRealtime } from './realtime-mounts.js';

interface Body {
  window?: { days: number };
  skills?: unknown[];
  error?: { code: string; message: string; details?: { field?: string; rule?: string } };
}

describe('GET /api/skill-report', () => {
  let app: TestApp;
  let http: RunningHttpServer;
  before(async () => {
    app = createTestApp();
    const rt = await createRealtime(app, {});
    http = await startHttpServer(app, rt.mounts);
  });
  after(async () => {
    await http.close();
    await app.dispose();
  });
  const get = async (query: string) => {
    const res = await fetch(`${http.url}/api/skill-report${query}`);
    return { status: res.status, body: (await res.json()) as Body };
  };

  it('answers days and limit', async () => {
    const r = await get('?days=7&limit=3');
    assert.equal(r.status, 200);
    assert.equal(r.body.window?.days, 7);
  });

  it('refuses a misspelt parameter, naming it and the one meant', async () => {
    const r = await get('?day=7');
    assert.equal(r.status, 400);
    assert.equal(r.body.error?.code, 'INVALID_INPUT');
    assert.deepEqual(r.body.error?.details, { field: 'day', rule: "unknown parameter; did you mean 'days'? (accepted: days, limit)" });
    const other = await get('?window=7');
    assert.equal(other.status, 400);
    assert.deepEqual(other.body.error?.details, { field: 'window', rule: 'unknown parameter (accepted: days, limit)' });
  });

  it('refuses a parameter given twice', async () => {
    const r = await get('?days=1&days=30');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.error?.details, { field: 'days', rule: 'must be given at most once' });
  });

  it('refuses an empty value instead of answering with the default', async () => {
    for (const [query, field] of [
      ['?days=', 'days'],
      ['?limit=', 'limit'],
    ] as const) {
      const r = await get(query);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.error?.details?.field, field);
      assert.match(r.body.error?.details?.rule ?? '', /^must be an integer between 1 and \d+$/);
    }
  });
});
