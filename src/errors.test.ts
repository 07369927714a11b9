import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, toAppError } from './errors.js';

const sysErr = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code}: something`), { code, ...extra });

describe('toAppError', () => {
  it('makes a failed bind the bind address or port input, naming the field', () => {
    const bind = { host: '999.1.1.1', ports: { port: 80, 'metrics-port': 9100 } };
    const lookup = toAppError(sysErr('ENOTFOUND', { syscall: 'getaddrinfo', hostname: '999.1.1.1' }), { bind });
    assert.deepEqual([lookup.code, lookup.message, lookup.details.field], ['INVALID_INPUT', 'host: cannot bind 999.1.1.1 (no such address)', 'host']);
    const foreign = toAppError(sysErr('EADDRNOTAVAIL', { syscall: 'listen', address: '10.255.255.1', port: 80 }), { bind: { host: '10.255.255.1' } });
    assert.equal(foreign.message, 'host: cannot bind 10.255.255.1 (not an address of this machine)');
    const privileged = toAppError(sysErr('EACCES', { syscall: 'listen', port: 9100 }), { bind });
    assert.equal(privileged.message, 'metrics-port: cannot bind port 9100 on 999.1.1.1 (permission denied: ports below 1024 need privileges)');
    assert.equal(toAppError(sysErr('EACCES', { syscall: 'listen', port: 80 }), { bind }).details.field, 'port');
    // Without the bind context a failed lookup is not about a bind address: a database host's.
    assert.equal(toAppError(sysErr('ENOTFOUND', { syscall: 'getaddrinfo' })).code, 'STORE_UNAVAILABLE');
  });

  it('makes a database server that cannot be reached (refused, reset, shutting down, connection lost) unavailable, not internal', () => {
    const cases: unknown[] = [
      sysErr('ECONNREFUSED', { syscall: 'connect', address: '127.0.0.1', port: 5432 }),
      sysErr('ECONNRESET', { syscall: 'read' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ];
    for (const err of cases) {
      const e = toAppError(err);
      assert.equal(e.code, 'STORE_UNAVAILABLE', String(err));
      assert.equal(e.message, `the database server cannot be reached (${(err as Error).message})`);
    }
    // A query the server refused is not a server away.
    assert.equal(toAppError(Object.assign(new Error('syntax error'), { code: '42601' })).code, 'INTERNAL');
    assert.equal(toAppError(new Error('Connection string is bad')).code, 'INTERNAL');
  });

  it('names the path of a file-system error that does not carry it, and the input field that named the path', () => {
    // Reading a directory fails in read(2), whose error has no path.
    const isDir = sysErr('EISDIR', { syscall: 'read' });
    const plain = toAppError(isDir, { path: '/tmp/x' });
    assert.deepEqual([plain.code, plain.message], ['STORE_UNAVAILABLE', 'cannot use /tmp/x: is a directory (EISDIR)']);
    const typed = toAppError(isDir, { path: '/tmp/x', field: '--file' });
    assert.deepEqual([typed.code, typed.message], ['INVALID_INPUT', '--file: is a directory']);
    assert.ok(typed instanceof AppError && typed.cause === isDir);
  });
});

describe('toAppError: an I/O error of SQLite on a full disk', () => {
  it('is DISK_FULL when its cause is ENOSPC or the data directory has no free space, an internal error otherwise', () => {
    const ioerr = () => sysErr('SQLITE_IOERR_SHMSIZE');
    assert.equal(toAppError(Object.assign(ioerr(), { cause: sysErr('ENOSPC') })).code, 'DISK_FULL');
    const full = toAppError(ioerr(), { dataDir: '/data', freeBytes: () => 0 });
    assert.equal(full.code, 'DISK_FULL');
    assert.match(full.message, /^disk full: free space on the data directory's file system/);
    assert.equal(toAppError(ioerr(), { dataDir: '/data', freeBytes: () => 50 * 1024 ** 3 }).code, 'INTERNAL');
    assert.equal(toAppError(ioerr(), { dataDir: '/data', freeBytes: () => null }).code, 'INTERNAL');
    assert.equal(toAppError(ioerr()).code, 'INTERNAL');
  });
});
