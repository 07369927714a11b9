import type { Context } from 'hono';
import type { AppError, ErrorCode } from '../errors.js';

/** An application error as an HTTP answer: `{ error: { code, message, details } }` with its status (and any headers). */
export function errorResponse(c: Context, e: AppError, headers?: Record<string, string>): Response {
  return c.json({ error: e.toJSON() }, httpStatusOf(e.code), headers);
}

/** HTTP status for each application error code. */
export function httpStatusOf(code: ErrorCode): 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 426 | 429 | 503 | 507 | 500 {
  switch (code) {
    case 'INVALID_INPUT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'METHOD_NOT_ALLOWED':
      return 405;
    case 'CONFLICT':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'UPGRADE_REQUIRED':
      return 426;
    case 'RATE_LIMITED':
      return 429;
    case 'STORE_UNAVAILABLE':
      return 503;
    case 'DISK_FULL':
      return 507;
    default:
      return 500;
  }
}
