/**
 * The one typed error of the application. Every layer throws AppError (or lets
 * a foreign error be wrapped by `toAppError`); the MCP, HTTP and CLI edges map
 * it to their wire format in one place each.
 */
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

  static invalid(field: string, rule: string, extra: ErrorDetails = {}): AppError {
    return new AppError('INVALID_INPUT', `${field}: ${rule}`, { field, rule, ...extra });
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

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')) {
    return new AppError('STORE_UNAVAILABLE', 'the database is locked by another process', {}, { cause: err });
  }
  if (typeof code === 'string' && (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')) {
    return new AppError('STORE_UNAVAILABLE', 'the database file is corrupt or not a database', {}, { cause: err });
  }
  if (typeof code === 'string' && (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || code === '53100')) {
    return new AppError('DISK_FULL', "disk full: free space on the data directory's file system (nothing was written)", {}, { cause: err });
  }
  const syscall = (err as { syscall?: unknown } | null)?.syscall;
  // mkdir's ENOENT after its parent was found (ensureDir): a file system that takes no new directories, e.g. /proc.
  const fsProblem = typeof code === 'string' ? (code === 'ENOENT' && syscall === 'mkdir' ? 'cannot be created there' : FS_PROBLEMS[code]) : undefined;
  const fsPath = (err as { path?: unknown } | null)?.path;
  if (fsProblem && typeof fsPath === 'string') {
    // A file or directory the process cannot use (a data directory under /sys, a read-only disk…): the user's to fix, not a bug.
    return new AppError('STORE_UNAVAILABLE', `cannot use ${fsPath}: ${fsProblem} (${code})`, { path: fsPath }, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('INTERNAL', message, {}, { cause: err });
}
