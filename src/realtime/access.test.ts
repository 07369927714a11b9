import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAccess, hostAllowed, originAllowed, presentedToken, type AccessPolicy } from './access.js';

const url = (q = '') => new URL(`http://x/ws${q}`);
const loopback: AccessPolicy = { bindHost: '127.0.0.1', requireToken: false, token: 'secret-token', allowedOrigins: [] };

describe('access checks', () => {
  it('allows only loopback Host headers on a loopback bind', () => {
    assert.equal(hostAllowed('127.0.0.1', 8678, '127.0.0.1:8678'), true);
    assert.equal(hostAllowed('127.0.0.1', 8678, 'LOCALHOST:8678'), true);
    assert.equal(hostAllowed('127.0.0.1', 8678, '[::1]:8678'), true);
    assert.equal(hostAllowed('127.0.0.1', 8678, 'evil.example:8678'), false);
    assert.equal(hostAllowed('127.0.0.1', 8678, '127.0.0.1:9999'), false);
    assert.equal(hostAllowed('127.0.0.1', 8678, undefined), false);
    assert.equal(hostAllowed('0.0.0.0', 8678, 'anything:1'), true); // non-loopback: the token protects
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

  it('reads the token from the bearer header first, else the query', () => {
    assert.equal(presentedToken({ authorization: 'Bearer abc' }, url('?token=zzz')), 'abc');
    assert.equal(presentedToken({ authorization: 'Basic abc' }, url()), '');
    assert.equal(presentedToken({}, url('?token=zzz')), 'zzz');
    assert.equal(presentedToken({}, url()), null);
  });

  it('decides with the right status', () => {
    const h = { host: '127.0.0.1:1' };
    assert.deepEqual(checkAccess(loopback, 1, h, url()), { ok: true });
    assert.equal(checkAccess(loopback, 1, { ...h, authorization: 'Bearer wrong' }, url()).ok, false);
    assert.deepEqual(checkAccess(loopback, 1, h, url('?token=secret-token')), { ok: true });
    const required = { ...loopback, requireToken: true };
    const denied = checkAccess(required, 1, h, url());
    assert.ok(!denied.ok && denied.status === 401);
    const badHost = checkAccess(loopback, 1, { host: 'evil:1' }, url());
    assert.ok(!badHost.ok && badHost.status === 403);
    const badOrigin = checkAccess(loopback, 1, { ...h, origin: 'http://evil' }, url());
    assert.ok(!badOrigin.ok && badOrigin.status === 403);
    const open = { ...required, bindHost: '0.0.0.0' };
    assert.deepEqual(checkAccess(open, 1, { host: 'box:1', authorization: 'Bearer secret-token' }, url()), { ok: true });
  });
});
