/**
 * Which recording failures are worth retrying later. Transient: the store
 * is locked or unreachable, the disk is full, the client is rate-limited or
 * the network failed — the line is fine and must stay spooled. Anything else
 * that a single line causes on its own (invalid input, an internal error
 * such as a RangeError) will fail again on every retry: the line is
 * rejected or quarantined instead of blocking the lines behind it.
 */
import { NETWORK_ERROR_CODES } from '../errors.js';

const TRANSIENT_APP_CODES = new Set(['STORE_UNAVAILABLE', 'DISK_FULL', 'RATE_LIMITED', 'UNAUTHORIZED']);
const TRANSIENT_SYSTEM_CODES = new Set([
  ...NETWORK_ERROR_CODES,
  'EPIPE',
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EMFILE',
  'ENFILE',
  'EACCES',
  'EPERM',
  'EROFS',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function transientCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  if (TRANSIENT_APP_CODES.has(code) || TRANSIENT_SYSTEM_CODES.has(code)) return true;
  // SQLite: busy, locked, full, I/O, cannot open, read-only database.
  if (/^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL)/.test(code)) return true;
  // PostgreSQL SQLSTATE: connection (08), insufficient resources (53), operator intervention (57), serialization/deadlock.
  return /^(08|53|57)[0-9A-Z]{3}$/.test(code) || code === '40001' || code === '40P01';
}

export function isTransientRecordError(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const name = (err as { name?: unknown }).name;
  if (name === 'AbortError' || name === 'TimeoutError') return true;
  if (transientCode(codeOf(err))) return true;
  // fetch() wraps network failures: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }).
  const cause = (err as { cause?: unknown }).cause;
  if (err instanceof TypeError && cause !== undefined) return true;
  return cause !== undefined && cause !== err && transientCode(codeOf(cause));
}
