/** JobLeases on every back-end: one winner per slot, also among concurrent claimers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testBackends } from '../testing/backends.js';

describe('job leases', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, () => {
      it('grants each slot of a job once, never an older slot, jobs independent', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose } = await backend.open();
        try {
          const { leases } = stores;
          assert.equal(await leases.claim('detect', 5), true);
          assert.equal(await leases.claim('detect', 5), false);
          assert.equal(await leases.claim('detect', 4), false);
          assert.equal(await leases.claim('other', 5), true);
          assert.equal(await leases.claim('detect', 6), true);
          // Numeric, not text, order: slot 10 comes after 9.
          assert.equal(await leases.claim('detect', 9), true);
          assert.equal(await leases.claim('detect', 10), true);
        } finally {
          await dispose();
        }
      });

      it('gives a slot to exactly one of many concurrent claimers', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose } = await backend.open();
        try {
          for (const slot of [100, 101, 102]) {
            const wins = await Promise.all(Array.from({ length: 8 }, () => stores.leases.claim('detect', slot)));
            assert.equal(wins.filter(Boolean).length, 1, `slot ${slot}`);
          }
        } finally {
          await dispose();
        }
      });
    });
  }
});
