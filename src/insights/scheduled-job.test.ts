/** Scheduled jobs: with two instances on one store, exactly one runs the job per slot. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../logger.js';
import { openSqliteStores } from '../store/open-stores.js';
import { openPgStores } from '../store/postgres/stores.js';
import { newPgInstance } from '../store/postgres/pool.js';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable } from '../testing/backends.js';
import { startScheduledJob } from './scheduled-job.js';

describe('startScheduledJob', () => {
  it('runs once per slot across two instances sharing a store, again in the next slot', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-job-'));
    const file = path.join(dir, 'db.sqlite');
    const a = openSqliteStores(file);
    const b = openSqliteStores(file); // a second process's connection to the same database
    let clock = 10 * 60_000; // slot 10 of a 60 s interval
    const runs: string[] = [];
    const job = (name: string, leases = name === 'a' ? a.leases : b.leases) =>
      startScheduledJob({
        name: 'detect',
        intervalMs: 60_000,
        leases,
        logger: createLogger('silent'),
        now: () => clock,
        runAtStart: false,
        run: async () => {
          runs.push(name);
        },
      });
    const ja = job('a');
    const jb = job('b');
    try {
      // A tick while the instance's own run is in progress joins it (same answer) instead of starting another.
      const [a1, b1, a2, b2] = await Promise.all([ja.tick(), jb.tick(), ja.tick(), jb.tick()]);
      assert.equal([a1, b1].filter(Boolean).length, 1);
      assert.deepEqual([a2, b2], [a1, b1]);
      assert.equal(runs.length, 1);
      clock += 30_000; // same slot
      assert.deepEqual(await Promise.all([ja.tick(), jb.tick()]), [false, false]);
      clock += 30_000; // slot 11
      assert.equal((await Promise.all([jb.tick(), ja.tick()])).filter(Boolean).length, 1);
      assert.equal(runs.length, 2);
    } finally {
      await ja.stop();
      await jb.stop();
      await a.close();
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs once per slot across three instances on one PostgreSQL store, each with its own pool', async (t) => {
    const skip = await pgReachable(DEFAULT_TEST_PG_URL);
    if (skip) return t.skip(skip);
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    const instances = [];
    for (let i = 0; i < 3; i++) instances.push(await openPgStores(schema.url, { poolSize: 2, instance: newPgInstance() }));
    let clock = 42 * 60_000;
    const runs: number[] = [];
    const jobs = instances.map((stores, i) =>
      startScheduledJob({
        name: 'detect',
        intervalMs: 60_000,
        leases: stores.leases,
        logger: createLogger('silent'),
        now: () => clock,
        runAtStart: false,
        run: async () => {
          runs.push(i);
        },
      }),
    );
    try {
      for (let slot = 0; slot < 5; slot++) {
        const ran = await Promise.all(jobs.map((j) => j.tick()));
        assert.equal(ran.filter(Boolean).length, 1, `slot ${slot}: ${JSON.stringify(ran)}`);
        clock += 60_000;
      }
      assert.equal(runs.length, 5);
    } finally {
      for (const j of jobs) await j.stop();
      for (const s of instances) await s.close();
      await schema.drop();
    }
  });

  it('logs a failing run and keeps going', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-job-'));
    const stores = openSqliteStores(path.join(dir, 'db.sqlite'));
    let clock = 0;
    let calls = 0;
    const j = startScheduledJob({
      name: 'x',
      intervalMs: 1000,
      leases: stores.leases,
      logger: createLogger('silent'),
      now: () => clock,
      runAtStart: false,
      run: async () => {
        calls++;
        throw new Error('boom');
      },
    });
    try {
      assert.equal(await j.tick(), false);
      clock = 1000;
      assert.equal(await j.tick(), false);
      assert.equal(calls, 2);
    } finally {
      await j.stop();
      await stores.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
