/**
 * The OTLP/HTTP receiver: POST /v1/logs and /v1/metrics, in
 * `application/x-protobuf` or `application/json`, optionally gzip. Behind the
 * same access middleware as every route. Success is 200 with an
 * Export*ServiceResponse in the request's encoding (partialSuccess when
 * records were rejected); errors carry a google.rpc.Status: 400 malformed,
 * 413 over the body cap (compressed or decompressed), 415 another content
 * type or encoding, 403 a per-user token (telemetry names its own user ids,
 * so only the installation token may send it; 401 and a Host/Origin 403 from
 * the access middleware too, see otlpAccessRefusal), 503 the store is unavailable
 * (retryable). Other /v1/* paths (traces, profiles) get a 404 Status, another
 * method on /v1/logs or /v1/metrics a 405 Status.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { App } from '../app.js';
import { AppError, toAppError } from '../errors.js';
import { encodeResponse, encodeStatus, type OtlpEncoding, type OtlpSignal } from '../capture/otlp-decode.js';
import { httpStatusOf } from './http-errors.js';
import { type AccessRefusal, BEARER_CHALLENGE } from './http-access.js';
import type { AllowedMethods } from './http-methods.js';

const CONTENT_TYPES: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** A google.rpc.Status error response in the encoding the request's Content-Type names (JSON when it names neither). */
function statusResponse(
  c: Context,
  app: App,
  contentType: string | undefined,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  let encoding: OtlpEncoding = 'json';
  try {
    encoding = app.otlp.encodingOf(contentType);
  } catch {
    // unsupported type: answer in JSON
  }
  return c.body(encodeStatus(encoding, grpcCode(status), message) as never, status as never, { 'Content-Type': CONTENT_TYPES[encoding], ...headers });
}

/**
 * The access middleware's refusals (401 no or wrong token, 403 Host/Origin)
 * on the OTLP paths (/v1/*), as a google.rpc.Status in the request's encoding
 * (16 UNAUTHENTICATED, 7 PERMISSION_DENIED), like every other error there; a
 * 401 keeps its WWW-Authenticate challenge. Other paths: null (the default).
 */
export function otlpAccessRefusal(app: App): AccessRefusal {
  return (c, status, reason) =>
    c.req.path.startsWith('/v1/')
      ? statusResponse(c, app, c.req.header('content-type'), status, status === 401 ? `unauthorized: ${reason}` : `forbidden: ${reason}`, {
          ...(status === 401 ? { 'WWW-Authenticate': BEARER_CHALLENGE } : {}),
        })
      : null;
}

/** The gRPC status code the OTLP spec pairs with an HTTP status. */
function grpcCode(status: number): number {
  if (status === 400 || status === 413 || status === 415) return 3; // INVALID_ARGUMENT
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 403) return 7; // PERMISSION_DENIED
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 503 || status === 507) return 14; // UNAVAILABLE
  return 13; // INTERNAL
}

/** What to send instead, for another method on a signal's path. */
const SIGNAL_HINTS: Readonly<Record<string, string>> = {
  '/v1/logs': 'POST an ExportLogsServiceRequest',
  '/v1/metrics': 'POST an ExportMetricsServiceRequest',
};

/** `allowed`: the server's one reading of which methods a path serves (http-methods.ts), for the 405s. */
export function registerOtlpRoutes(hono: Hono, app: App, maxBodyBytes: number, allowed: AllowedMethods): void {
  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) => fail(c, undefined, new AppError('PAYLOAD_TOO_LARGE', `request body exceeds ${maxBodyBytes} bytes`)),
  });
  const fail = (c: Context, contentType: string | undefined, err: unknown) => {
    const e = toAppError(err);
    if (e.code === 'INTERNAL' || e.code === 'DISK_FULL') app.logger.error('otlp ingest failed', { path: c.req.path, code: e.code, err });
    const status = httpStatusOf(e.code);
    return statusResponse(c, app, contentType, status, e.message, status === 503 ? { 'Retry-After': '5' } : {});
  };
  const route = (signal: OtlpSignal) => async (c: Context) => {
    const contentType = c.req.header('content-type');
    try {
      if (c.get('caller').role !== 'admin') {
        throw new AppError('FORBIDDEN', 'OTLP telemetry is accepted with the installation token only (it carries its own user ids)');
      }
      const body = new Uint8Array(await c.req.arrayBuffer());
      const req = { body, contentType, contentEncoding: c.req.header('content-encoding') };
      const result = signal === 'logs' ? await app.otlp.logs(req) : await app.otlp.metrics(req);
      return c.body(encodeResponse(signal, result.encoding, result.rejected, result.message) as never, 200, { 'Content-Type': CONTENT_TYPES[result.encoding] });
    } catch (err) {
      return fail(c, contentType, err);
    }
  };
  hono.post('/v1/logs', limit, route('logs'));
  hono.post('/v1/metrics', limit, route('metrics'));
  // What an exporter may also send, answered with a Status as the spec asks: another method on a
  // signal's path (405), and the signals not received here, traces and profiles (404).
  const refuse = (c: Context, status: 404 | 405, message: string, allow: readonly string[] = []) =>
    c.body(encodeStatus('json', 12 /* UNIMPLEMENTED */, message) as never, status, {
      'Content-Type': CONTENT_TYPES.json,
      ...(status === 405 ? { Allow: allow.join(', ') } : {}),
    });
  hono.all('/v1/*', (c) => {
    const { method, path } = c.req;
    const allow = allowed(path);
    if (allow.length > 0) return refuse(c, 405, `${method} is not accepted on ${path}: ${SIGNAL_HINTS[path] ?? `it serves ${allow.join(', ')}`}`, allow);
    return refuse(c, 404, `${path} is not received here: only logs (/v1/logs) and metrics (/v1/metrics)`);
  });
}
