/**
 * ApiTokenStore on every back-end, and the UserTokens service over it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashToken, UserTokens } from '../server/user-tokens.js';
import { testBackends, testHash } from '../testing/backends.js';

describe('api token store', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, () => {
      it('creates, finds active, lists newest first, revokes once', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose } = await backend.open();
        try {
          const s = stores.apiTokens;
          const a = await s.create({ token_hash: 'h1', user_hash: 'u1', role: 'user', label: null, created_at: 1000 });
          const b = await s.create({ token_hash: 'h2', user_hash: 'u2', role: 'admin', label: 'lead', created_at: 2000 });
          assert.deepEqual(a, { id: a.id, user_hash: 'u1', role: 'user', label: null, created_at: 1000, revoked_at: null });
          assert.deepEqual(await s.findActive('h2'), { id: b.id, user_hash: 'u2', role: 'admin', label: 'lead', created_at: 2000, revoked_at: null });
          assert.equal(await s.findActive('nope'), null);
          assert.deepEqual(
            (await s.list()).map((t) => t.id),
            [b.id, a.id],
          );
          assert.equal(await s.revoke(a.id, 3000), true);
          assert.equal(await s.revoke(a.id, 4000), false);
          assert.equal(await s.findActive('h1'), null);
          assert.equal((await s.list()).find((t) => t.id === a.id)?.revoked_at, 3000);
          await assert.rejects(s.create({ token_hash: 'h2', user_hash: 'u3', role: 'user', label: null, created_at: 5000 }));
        } finally {
          await dispose();
        }
      });

      it('UserTokens: issues a token stored only as its hash, resolves it to the user, forgets it on revoke', { skip: backend.skip ?? false }, async () => {
        const { stores, dispose, query } = await backend.open();
        try {
          const tokens = new UserTokens({ store: stores.apiTokens, hashUser: testHash, now: () => 10_000 });
          const { token, record } = await tokens.create({ userId: ' alice ', admin: false, label: 'laptop' });
          assert.match(token, /^sbu_[A-Za-z0-9_-]{43}$/);
          const rows = await query<{ token_hash: string; user_hash: string }>('SELECT token_hash, user_hash FROM api_tokens');
          assert.deepEqual(rows, [{ token_hash: hashToken(token), user_hash: testHash('alice') }]);
          assert.deepEqual(await tokens.verify(token), { role: 'user', userHash: testHash('alice'), key: `token:${record.id}` });
          assert.equal(await tokens.verify(`${token}x`), null);
          assert.equal(await tokens.verify('not-a-user-token'), null);
          await tokens.revoke(record.id);
          assert.equal(await tokens.verify(token), null);
          await assert.rejects(tokens.revoke(record.id), { code: 'NOT_FOUND' });
          await assert.rejects(tokens.create({ userId: '  ', admin: false }), { code: 'INVALID_INPUT' });
        } finally {
          await dispose();
        }
      });
    });
  }
});
