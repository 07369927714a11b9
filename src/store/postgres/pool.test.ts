/**
 * The pool over a real PostgreSQL, behind a TCP proxy that drops its connections as a PostgreSQL
 * restart or a network cut does. An idle pooled connection that dies is reported by the pool as an
 * 'error' event; without a listener that event killed the whole process (a server, or an MCP stdio
 * server) the moment PostgreSQL went away, even with nothing to do.
 *
 * An idle pool keeps one connection however long it stays idle, so that `migrate` and
 * `migrate-store` see an idle server in `pg_stat_activity` (the idle timer is driven by mock timers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TEST_PG_URL, pgReachable } from '../../testing/backends.js';
import { startTcpProxy } from '../../testing/tcp-proxy.js';
import { createPgPool, newPgInstance } from './pool.js';

/** A pool of 2 connecting to the test PostgreSQL through a proxy that can cut its connections. */
async function proxiedPool() {
  const target = new URL(DEFAULT_TEST_PG_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const url = new URL(DEFAULT_TEST_PG_URL);
  url.port = String(proxy.port);
  return { proxy, pool: createPgPool(url.toString(), newPgInstance(), 2) };
}

describe('PostgreSQL pool', async () => {
  const skip = await pgReachable(DEFAULT_TEST_PG_URL);
  it('survives losing its idle connections, then connects again', { skip: skip ?? false }, async () => {
    const { proxy, pool } = await proxiedPool();
    try {
      await pool.query('SELECT 1');
      assert.equal(pool.idleCount, 1);
      proxy.cut();
      // The pool drops the dead client (and reports it as an 'error' event, which must not crash us).
      const deadline = Date.now() + 10_000;
      while (pool.idleCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(pool.idleCount, 0);
      await assert.rejects(pool.query('SELECT 1'));
      proxy.accept();
      assert.deepEqual((await pool.query('SELECT 2 AS n')).rows, [{ n: 2 }]);
    } finally {
      await pool.end();
      await proxy.close();
    }
  });

  it('survives losing the connection of a client checked out between two of its queries (a transaction), and drops that client', {
    skip: skip ?? false,
  }, async () => {
    const { proxy, pool } = await proxiedPool();
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      proxy.cut();
      // The dropped connection is reported on the client, which no listener of the pool's watches while it is out.
      await new Promise((r) => setTimeout(r, 300));
      await assert.rejects(client.query('SELECT 1'));
      client.release();
      assert.equal(pool.totalCount, 0, 'the dead client is not handed out again');
      proxy.accept();
      assert.deepEqual((await pool.query('SELECT 3 AS n')).rows, [{ n: 3 }]);
    } finally {
      await pool.end();
      await proxy.close();
    }
  });

  it('keeps one connection however long it stays idle, so that other processes see it', { skip: skip ?? false }, async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const pool = createPgPool(DEFAULT_TEST_PG_URL, newPgInstance(), 3);
    try {
      // Three connections at once, then all idle.
      await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.05)')));
      assert.equal(pool.totalCount, 3);
      // Far past pg's idle timeout (10 s): the extra connections are closed, one stays.
      t.mock.timers.tick(3_600_000);
      assert.equal(pool.totalCount, 1);
      assert.equal(pool.idleCount, 1);
    } finally {
      t.mock.timers.reset();
      await pool.end();
    }
  });
});
