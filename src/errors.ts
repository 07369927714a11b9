/**
 * The one typed error of the application. Every layer throws AppError (or lets
 * a foreign error be wrapped by `toAppError`); the MCP, HTTP and CLI edges map
 * it to their wire format in one place each.
 */
import fs from 'node:fs';

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'STORE_UNAVAILABLE'
  | 'DISK_FULL'
  /** A request body over the size limit (also once decompressed). */
  | 'PAYLOAD_TOO_LARGE'
  /** A request body in a format the route does not take. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** An HTTP method a known path does not serve (details.allow lists those it serves). */
  | 'METHOD_NOT_ALLOWED'
  /** A plain HTTP request to a WebSocket endpoint (answered with `Upgrade: websocket`). */
  | 'UPGRADE_REQUIRED'
  /** A CLI command stopped by Ctrl-C (SIGINT) at a consistent point: exit code 130. */
  | 'INTERRUPTED'
  | 'INTERNAL';

export interface ErrorDetails {
  /** Dotted path of the offending input field, e.g. `invocations.3.duration_ms`. */
  field?: string;
  /** The rule the value broke, e.g. `must be >= 0`. */
  rule?: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static invalid(field: string, rule: string, extra: ErrorDetails = {}, options?: { cause?: unknown }): AppError {
    return new AppError('INVALID_INPUT', `${field}: ${rule}`, { field, rule, ...extra }, options);
  }

  /**
   * One INVALID_INPUT error for every issue found at once (one line each, as a schema error lists every
   * field); a single issue is `invalid(field, rule)`. The first names `field` and `rule`; all are in `issues`.
   */
  static invalidAll(issues: readonly { field: string; rule: string }[]): AppError {
    if (issues.length === 1) return AppError.invalid(issues[0]!.field, issues[0]!.rule);
    return new AppError('INVALID_INPUT', issues.map((i) => `${i.field}: ${i.rule}`).join('\n'), {
      field: issues[0]!.field,
      rule: issues[0]!.rule,
      issues: [...issues],
    });
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** File-system errors that are about the path the process was given, with what to say of them. */
const FS_PROBLEMS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
};

/**
 * What the caller of `toAppError` knows that the error itself may not say:
 * the path a file-system call was given, the input that named it, or that the
 * error came from binding the server's listening sockets.
 */
export interface ErrorContext {
  /** The path of the failed file-system call, for errors that do not carry it (reading a directory: EISDIR). */
  path?: string;
  /** The input field that named that path: a file-system problem with it is then bad input naming the field (`file: is a directory`). */
  field?: string;
  /**
   * The error came from binding listening sockets on `host`: a failed name lookup is about that
   * address (not a server to reach), as is an address this machine does not have. `ports` names the
   * field of each port bound (default `port`), for an error about a port.
   */
  bind?: { host: string; ports?: Readonly<Record<string, number | null>> };
  /**
   * The data directory: an I/O error of SQLite (SQLITE_IOERR_*, e.g. its `-shm` file cannot grow) while
   * its file system has no free space is a full disk.
   */
  dataDir?: string;
  /** Measures the free space of a directory's file system (default freeBytes; tests give their own). */
  freeBytes?: (dir: string) => number | null;
}

/** Bytes this user may still write on the file system of `dir`; null when that cannot be measured. */
export function freeBytes(dir: string): number | null {
  try {
    const stat = fs.statfsSync(dir);
    return stat.bavail * stat.bsize;
  } catch {
    return null;
  }
}

/** Less free space than this (a few SQLite pages) and a failed write failed for want of space. */
const FULL_BELOW_BYTES = 1024 * 1024;

/** Whether the file system of `dir` is full (false when it cannot be measured). */
export function fileSystemFull(dir: string, measure: (dir: string) => number | null = freeBytes): boolean {
  const free = measure(dir);
  return free !== null && free < FULL_BELOW_BYTES;
}

/**
 * Whether an I/O error of SQLite (SQLITE_IOERR, SQLITE_IOERR_*) is a full disk: its cause says ENOSPC,
 * or the data directory's file system has no free space left.
 */
function ioErrorOfFullDisk(err: unknown, code: string, context: ErrorContext): boolean {
  if (!code.startsWith('SQLITE_IOERR')) return false;
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (cause === 'ENOSPC' || cause === 'EDQUOT') return true;
  return context.dataDir !== undefined && fileSystemFull(context.dataDir, context.freeBytes);
}

/** Errors of binding a listening socket, by code: the field at fault and the rule it broke. */
const BIND_PROBLEMS: Readonly<Record<string, { on: 'host' | 'port'; why: string }>> = {
  ENOTFOUND: { on: 'host', why: 'no such address' },
  EAI_NONAME: { on: 'host', why: 'no such address' },
  EAI_FAIL: { on: 'host', why: 'no such address' },
  EAI_AGAIN: { on: 'host', why: 'the name lookup failed; try again or give an IP address' },
  EADDRNOTAVAIL: { on: 'host', why: 'not an address of this machine' },
  EAFNOSUPPORT: { on: 'host', why: 'address family not supported here' },
  EACCES: { on: 'port', why: 'permission denied: ports below 1024 need privileges' },
  EPERM: { on: 'port', why: 'operation not permitted' },
};

function bindError(err: unknown, code: string, bind: NonNullable<ErrorContext['bind']>): AppError | null {
  const problem = BIND_PROBLEMS[code];
  if (!problem) return null;
  if (problem.on === 'host') return AppError.invalid('host', `cannot bind ${bind.host} (${problem.why})`, {}, { cause: err });
  const port = (err as { port?: unknown }).port;
  // EACCES/EPERM of anything but listen (e.g. opening a file) is not about the port.
  if ((err as { syscall?: unknown }).syscall !== 'listen' || typeof port !== 'number') return null;
  const field = Object.entries(bind.ports ?? {}).find(([, p]) => p === port)?.[0] ?? 'port';
  return AppError.invalid(field, `cannot bind port ${port} on ${bind.host} (${problem.why})`, {}, { cause: err });
}

/** Network failures of a connection (refused, reset, timed out, no route, no such host); a request's are to the PostgreSQL store. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** What node-postgres throws when a connection ends or cannot be made in time (errors without a code). */
const PG_CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect)/;

/**
 * A database server that cannot be reached now (refused, reset, timed out, shutting down: SQLSTATE
 * class 08 and 57P01–57P03), as opposed to a request it refused: the service is unavailable, not broken.
 */
function storeUnreachable(err: unknown, code: unknown): boolean {
  if (typeof code === 'string') return NETWORK_ERROR_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code);
  return err instanceof Error && PG_CONNECTION_MESSAGES.test(err.message);
}

export function toAppError(err: unknown, context: ErrorContext = {}): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')) {
    return new AppError('STORE_UNAVAILABLE', 'the database is locked by another process', {}, { cause: err });
  }
  if (typeof code === 'string' && (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')) {
    return new AppError('STORE_UNAVAILABLE', 'the database file is corrupt or not a database', {}, { cause: err });
  }
  if (
    typeof code === 'string' &&
    (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || code === '53100' || ioErrorOfFullDisk(err, code, context))
  ) {
    return new AppError('DISK_FULL', "disk full: free space on the data directory's file system (nothing was written)", {}, { cause: err });
  }
  if (typeof code === 'string' && context.bind) {
    const bound = bindError(err, code, context.bind);
    if (bound) return bound;
  }
  if (storeUnreachable(err, code)) {
    const message = err instanceof Error ? err.message : String(err);
    return new AppError('STORE_UNAVAILABLE', `the database server cannot be reached (${message})`, {}, { cause: err });
  }
  const syscall = (err as { syscall?: unknown } | null)?.syscall;
  // mkdir's ENOENT after its parent was found (ensureDir): a file system that takes no new directories, e.g. /proc.
  const fsProblem = typeof code === 'string' ? (code === 'ENOENT' && syscall === 'mkdir' ? 'cannot be created there' : FS_PROBLEMS[code]) : undefined;
  const errPath = (err as { path?: unknown } | null)?.path;
  const fsPath = typeof errPath === 'string' ? errPath : context.path;
  if (fsProblem && typeof fsPath === 'string') {
    // A path the user typed: their input to fix, named by its flag.
    if (context.field) return AppError.invalid(context.field, fsProblem, { path: fsPath, errno: code }, { cause: err });
    // A file or directory the process cannot use (a data directory under /sys, a read-only disk…): the user's to fix, not a bug.
    return new AppError('STORE_UNAVAILABLE', `cannot use ${fsPath}: ${fsProblem} (${code})`, { path: fsPath }, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('INTERNAL', message, {}, { cause: err });
}
