import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessPolicy, hostAllowed, INSTALLATION_ADMIN, originAllowed, presentedToken, type AccessPolicyOptions } from './access-policy.js';
import { LOCAL_ADMIN } from '../mcp/caller-identity.js';

const url = (q = '') => new URL(`http://x/ws${q}`);
const loopback: AccessPolicyOptions = {
  bindHost: '127.0.0.1',
  requireTokenOnLoopback: false,
  token: () => 'secret-token',
  allowedOrigins: [],
  metricsPublic: false,
};
const checkAccess = (opts: AccessPolicyOptions, port: number, headers: Record<string, string>, u: URL) => new AccessPolicy(opts).check('ws', port, headers, u);

describe('access checks', () => {
  it('allows only loopback Host headers on a loopback bind', () => {
    assert.equal(hostAllowed('127.0.0.1', 8678, '127.0.0.1:8678'), true);
    assert.equal(hostAllowed('127.0.0.1', 8678, 'LOCALHOST:8678'), true);
    assert.equal(hostAllowed('127.0.0.1', 8678, '[::1]:8678'), true);
    assert.equal(hostAllowed('127.0.0.1', 8678, 'evil.example:8678'), false);
    assert.equal(hostAllowed('127.0.0.1', 8678, '127.0.0.1:9999'), false);
    assert.equal(hostAllowed('127.0.0.1', 8678, undefined), false);
    assert.equal(hostAllowed('0.0.0.0', 8678, 'anything:1'), true); // non-loopback: the token protects
    // The bound loopback address itself names the server too (a client of 127.0.0.2 sends that Host).
    assert.equal(hostAllowed('127.0.0.2', 8678, '127.0.0.2:8678'), true);
    assert.equal(hostAllowed('127.0.0.2', 8678, '127.0.0.3:8678'), false);
    assert.equal(hostAllowed('[::1]', 8678, '[::1]:8678'), true);
  });

  it('allows same-origin, configured and absent Origins', () => {
    assert.equal(originAllowed(undefined, 'h:1', []), true);
    assert.equal(originAllowed('http://h:1', 'h:1', []), true);
    assert.equal(originAllowed('https://h:1', 'h:1', []), true);
    assert.equal(originAllowed('http://other:1', 'h:1', []), false);
    assert.equal(originAllowed('http://other:1', 'h:1', ['http://other:1']), true);
    assert.equal(originAllowed('null', 'h:1', []), false);
    assert.equal(originAllowed('file://h:1', 'h:1', []), false);
  });

  it('reads the token from the bearer header first, else the query (where the query is allowed: /ws)', () => {
    assert.equal(presentedToken({ authorization: 'Bearer abc' }, url('?token=zzz'), true), 'abc');
    assert.equal(presentedToken({ authorization: 'Basic abc' }, url(), true), '');
    assert.equal(presentedToken({}, url('?token=zzz'), true), 'zzz');
    assert.equal(presentedToken({}, url(), true), null);
    assert.equal(presentedToken({}, url('?token=zzz')), null);
  });

  it('decides with the right status', async () => {
    const h = { host: '127.0.0.1:1' };
    assert.deepEqual(await checkAccess(loopback, 1, h, url()), { ok: true, caller: LOCAL_ADMIN });
    assert.equal((await checkAccess(loopback, 1, { ...h, authorization: 'Bearer wrong' }, url())).ok, false);
    assert.deepEqual(await checkAccess(loopback, 1, h, url('?token=secret-token')), { ok: true, caller: INSTALLATION_ADMIN });
    const required = { ...loopback, requireTokenOnLoopback: true };
    const denied = await checkAccess(required, 1, h, url());
    assert.ok(!denied.ok && denied.status === 401);
    const badHost = await checkAccess(loopback, 1, { host: 'evil:1' }, url());
    assert.ok(!badHost.ok && badHost.status === 403);
    const badOrigin = await checkAccess(loopback, 1, { ...h, origin: 'http://evil' }, url());
    assert.ok(!badOrigin.ok && badOrigin.status === 403);
    const open = { ...required, bindHost: '0.0.0.0' };
    assert.deepEqual(await checkAccess(open, 1, { host: 'box:1', authorization: 'Bearer secret-token' }, url()), { ok: true, caller: INSTALLATION_ADMIN });
  });

  it('has one token rule: off-loopback or when demanded, /metrics exempt when public', () => {
    const p = (o: Partial<AccessPolicyOptions>) => new AccessPolicy({ ...loopback, ...o });
    assert.equal(p({}).tokenRequired('http'), false);
    assert.equal(p({}).tokenRequired('ws'), false);
    assert.equal(p({ requireTokenOnLoopback: true }).tokenRequired('ws'), true);
    assert.equal(p({ bindHost: '0.0.0.0' }).tokenRequired('http'), true);
    assert.equal(p({ bindHost: '0.0.0.0' }).tokenRequired('metrics'), true);
    assert.equal(p({ bindHost: '0.0.0.0', metricsPublic: true }).tokenRequired('metrics'), false);
    assert.equal(p({ bindHost: '0.0.0.0', metricsPublic: true }).tokenRequired('ws'), true);
    assert.equal(p({ bindHost: '0.0.0.0' }).tokenRequired('page'), false);
  });

  it('accepts ?token= on /ws only', async () => {
    const open: AccessPolicyOptions = { ...loopback, bindHost: '0.0.0.0' };
    const policy = new AccessPolicy(open);
    const q = new URL('http://box:1/anything?token=secret-token');
    assert.equal((await policy.check('ws', 1, { host: 'box:1' }, q)).ok, true);
    const http = await policy.check('http', 1, { host: 'box:1' }, q);
    assert.ok(!http.ok && http.status === 401 && http.reason === 'token required');
    const metrics = await policy.check('metrics', 1, { host: 'box:1' }, q);
    assert.ok(!metrics.ok && metrics.status === 401);
  });

  it('resolves per-user tokens to their identity, and refuses unknown ones', async () => {
    const alice = { role: 'user' as const, userHash: 'h-alice', key: 'token:1' };
    const policy = new AccessPolicy({ ...loopback, bindHost: '0.0.0.0', userTokens: async (t) => (t === 'sbu_alice' ? alice : null) });
    assert.deepEqual(await policy.check('http', 1, { host: 'b:1', authorization: 'Bearer sbu_alice' }, url()), { ok: true, caller: alice });
    const unknown = await policy.check('http', 1, { host: 'b:1', authorization: 'Bearer sbu_bob' }, url());
    assert.ok(!unknown.ok && unknown.status === 401);
  });

  it('refuses /metrics (figures across all users) to a per-user token unless /metrics is public', async () => {
    const alice = { role: 'user' as const, userHash: 'h-alice', key: 'token:1' };
    const lead = { role: 'admin' as const, userHash: 'h-lead', key: 'token:2' };
    const users = async (t: string) => (t === 'sbu_alice' ? alice : t === 'sbu_lead' ? lead : null);
    const as = (token: string) => ({ host: '127.0.0.1:1', authorization: `Bearer ${token}` });
    for (const bindHost of ['127.0.0.1', '0.0.0.0']) {
      const policy = new AccessPolicy({ ...loopback, bindHost, userTokens: users });
      const refused = await policy.check('metrics', 1, as('sbu_alice'), url());
      assert.ok(!refused.ok && refused.status === 403, bindHost);
      assert.match(refused.reason, /per-user token/);
      assert.deepEqual(await policy.check('metrics', 1, as('sbu_lead'), url()), { ok: true, caller: lead });
      assert.deepEqual(await policy.check('metrics', 1, as('secret-token'), url()), { ok: true, caller: INSTALLATION_ADMIN });
      // Its other routes are unchanged.
      assert.deepEqual(await policy.check('http', 1, as('sbu_alice'), url()), { ok: true, caller: alice });
      // --metrics-public: open to anyone, so to a per-user token as well.
      const open = new AccessPolicy({ ...loopback, bindHost, metricsPublic: true, userTokens: users });
      assert.deepEqual(await open.check('metrics', 1, as('sbu_alice'), url()), { ok: true, caller: alice });
    }
  });
});
