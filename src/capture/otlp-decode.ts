/**
 * OTLP/HTTP request bodies to plain views: content type and encoding checks,
 * gzip inflation that stops at the size cap (a gzip bomb is refused, not
 * inflated), protobuf (`application/x-protobuf`) or JSON (`application/json`)
 * decoding, and a walk that flattens the resource/scope/record nesting into
 * log records and metric points with plain attribute maps.
 *
 * Protobuf is decoded with protobufjs into camelCase objects, the field names
 * the OTLP JSON encoding uses, so both encodings share one walk. 64-bit
 * integers arrive as decimal strings from either (JSON may also send numbers).
 * Any structural error rejects the whole request (nothing of it is used).
 */
import zlib from 'node:zlib';
import { AppError } from '../errors.js';
import { otlpTypes } from './otlp-schema.js';

export type OtlpEncoding = 'protobuf' | 'json';
export type OtlpSignal = 'logs' | 'metrics';
type AttrValue = string | number | boolean | null;
export type Attrs = Record<string, AttrValue>;

export interface OtlpLogRecord {
  /** The event name: LogRecord.eventName, else the `event.name` attribute, else a string body. */
  eventName: string;
  /** Epoch ms: timeUnixNano, else observedTimeUnixNano; null when neither is set. */
  timeMs: number | null;
  /** Resource attributes overlaid by the record's own. */
  attrs: Attrs;
}

export interface OtlpMetricPoint {
  metric: string;
  kind: 'sum' | 'gauge';
  /** 1 delta, 2 cumulative, 0 unspecified (gauges). */
  temporality: 0 | 1 | 2;
  /** Resource attributes overlaid by the point's own. */
  attrs: Attrs;
  /** startTimeUnixNano as a decimal string ('0' when absent). */
  startNano: string;
  /** timeUnixNano as a decimal string ('0' when absent). */
  timeNano: string;
  /** May be NaN or ±Infinity (valid OTLP): the ingest skips and reports such a point. */
  value: number;
}

const MAX_DEPTH = 8;

/** The encoding a Content-Type names; UNSUPPORTED_MEDIA_TYPE otherwise. */
export function encodingOf(contentType: string | undefined): OtlpEncoding {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/x-protobuf or application/json, not ${JSON.stringify(type || '(none)')}`, {
    field: 'Content-Type',
    rule: 'application/x-protobuf or application/json',
  });
}

/** The body itself, inflated when Content-Encoding is gzip; at most maxBytes either way. */
export function inflate(body: Uint8Array, contentEncoding: string | undefined, maxBytes: number): Buffer {
  const enc = (contentEncoding ?? '').trim().toLowerCase();
  if (body.byteLength > maxBytes) throw tooLarge(maxBytes);
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (enc === '' || enc === 'identity') return buf;
  if (enc !== 'gzip') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding must be gzip or absent, not ${JSON.stringify(enc)}`, {
      field: 'Content-Encoding',
      rule: 'gzip or identity',
    });
  }
  try {
    // maxOutputLength makes zlib stop (and fail) as soon as the output passes the cap.
    return zlib.gunzipSync(buf, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes, 'once decompressed');
    throw AppError.invalid('body', 'must be valid gzip data');
  }
}

function tooLarge(maxBytes: number, how = ''): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `request body exceeds ${maxBytes} bytes${how ? ` ${how}` : ''}`, {
    field: 'body',
    rule: `at most ${maxBytes} bytes`,
  });
}

/** Decodes an export request of either signal to a plain object with camelCase fields. */
export function decodeRequest(signal: OtlpSignal, encoding: OtlpEncoding, body: Buffer): Record<string, unknown> {
  if (encoding === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw AppError.invalid('body', 'must be valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw AppError.invalid('body', 'must be a JSON object');
    return parsed as Record<string, unknown>;
  }
  const types = otlpTypes();
  const type = signal === 'logs' ? types.logsRequest : types.metricsRequest;
  try {
    const msg = type.decode(body);
    return type.toObject(msg, { longs: String, bytes: String, oneofs: false, defaults: false, arrays: false });
  } catch (err) {
    throw AppError.invalid('body', `must be a valid protobuf Export${signal === 'logs' ? 'Logs' : 'Metrics'}ServiceRequest (${(err as Error).message})`);
  }
}

function list(value: unknown, field: string): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw AppError.invalid(field, 'must be an array');
  value.forEach((v, i) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw AppError.invalid(`${field}.${i}`, 'must be an object');
  });
  return value as Record<string, unknown>[];
}

function obj(value: unknown, field: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw AppError.invalid(field, 'must be an object');
  return value as Record<string, unknown>;
}

/** A uint64/int64 from a decimal string or a number; null when absent. */
function int64(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return value;
  throw AppError.invalid(field, 'must be an integer (a number or a decimal string)');
}

function nanoToMs(nano: string | null): number | null {
  if (nano === null || nano === '0') return null;
  return Number(BigInt(nano) / 1_000_000n);
}

function anyValue(value: unknown, field: string, depth = 0): AttrValue | unknown[] | Record<string, unknown> {
  const v = obj(value, field);
  if (v === null) return null;
  if (depth > MAX_DEPTH) throw AppError.invalid(field, `must not nest deeper than ${MAX_DEPTH} levels`);
  if ('stringValue' in v) {
    if (typeof v.stringValue !== 'string') throw AppError.invalid(`${field}.stringValue`, 'must be a string');
    return v.stringValue;
  }
  if ('boolValue' in v) {
    if (typeof v.boolValue !== 'boolean') throw AppError.invalid(`${field}.boolValue`, 'must be a boolean');
    return v.boolValue;
  }
  if ('intValue' in v) return Number(int64(v.intValue, `${field}.intValue`));
  if ('doubleValue' in v) {
    const d = typeof v.doubleValue === 'string' ? Number(v.doubleValue) : v.doubleValue;
    if (typeof d !== 'number') throw AppError.invalid(`${field}.doubleValue`, 'must be a number');
    return d;
  }
  if ('arrayValue' in v) {
    return list(obj(v.arrayValue, `${field}.arrayValue`)?.values, `${field}.arrayValue.values`).map((x, i) =>
      anyValue(x, `${field}.arrayValue.values.${i}`, depth + 1),
    );
  }
  if ('kvlistValue' in v) return attributes(obj(v.kvlistValue, `${field}.kvlistValue`)?.values, `${field}.kvlistValue.values`, depth + 1);
  if ('bytesValue' in v) return typeof v.bytesValue === 'string' ? v.bytesValue : null;
  return null;
}

function attributes(value: unknown, field: string, depth = 0): Attrs {
  const out: Attrs = {};
  list(value, field).forEach((kv, i) => {
    if (typeof kv.key !== 'string') throw AppError.invalid(`${field}.${i}.key`, 'must be a string');
    const v = anyValue(kv.value, `${field}.${i}.value`, depth);
    out[kv.key] = v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  });
  return out;
}

/** Every log record of a decoded ExportLogsServiceRequest. */
export function logRecordsOf(request: Record<string, unknown>): OtlpLogRecord[] {
  const out: OtlpLogRecord[] = [];
  list(request.resourceLogs, 'resourceLogs').forEach((rl, i) => {
    const resource = attributes(obj(rl.resource, `resourceLogs.${i}.resource`)?.attributes, `resourceLogs.${i}.resource.attributes`);
    list(rl.scopeLogs, `resourceLogs.${i}.scopeLogs`).forEach((sl, j) => {
      list(sl.logRecords, `resourceLogs.${i}.scopeLogs.${j}.logRecords`).forEach((lr, k) => {
        const field = `resourceLogs.${i}.scopeLogs.${j}.logRecords.${k}`;
        const attrs = { ...resource, ...attributes(lr.attributes, `${field}.attributes`) };
        const body = anyValue(lr.body, `${field}.body`);
        const named = typeof lr.eventName === 'string' && lr.eventName !== '' ? lr.eventName : null;
        const attrName = typeof attrs['event.name'] === 'string' ? attrs['event.name'] : null;
        const eventName = named ?? attrName ?? (typeof body === 'string' ? body : '');
        const timeMs = nanoToMs(int64(lr.timeUnixNano, `${field}.timeUnixNano`)) ?? nanoToMs(int64(lr.observedTimeUnixNano, `${field}.observedTimeUnixNano`));
        out.push({ eventName, timeMs, attrs });
      });
    });
  });
  return out;
}

/**
 * A point's value. NaN and ±Infinity (protobuf doubles, or the JSON strings
 * "NaN", "Infinity", "-Infinity" of the proto3 JSON encoding) are valid OTLP
 * and returned as they are: the ingest skips such a point and reports it in
 * the partial success rather than refusing the request. Any other non-number
 * is malformed (400).
 */
function pointValue(p: Record<string, unknown>, field: string): number {
  if (p.asDouble !== undefined && p.asDouble !== null) {
    const raw = p.asDouble;
    const d = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof d === 'number' && (!Number.isNaN(d) || raw === 'NaN' || typeof raw === 'number')) return d;
    throw AppError.invalid(`${field}.asDouble`, 'must be a number (or "NaN", "Infinity", "-Infinity")');
  }
  if (p.asInt !== undefined && p.asInt !== null) return Number(int64(p.asInt, `${field}.asInt`));
  return 0;
}

/** Every Sum and Gauge data point of a decoded ExportMetricsServiceRequest (histograms and summaries are skipped). */
export function metricPointsOf(request: Record<string, unknown>): OtlpMetricPoint[] {
  const out: OtlpMetricPoint[] = [];
  list(request.resourceMetrics, 'resourceMetrics').forEach((rm, i) => {
    const resource = attributes(obj(rm.resource, `resourceMetrics.${i}.resource`)?.attributes, `resourceMetrics.${i}.resource.attributes`);
    list(rm.scopeMetrics, `resourceMetrics.${i}.scopeMetrics`).forEach((sm, j) => {
      list(sm.metrics, `resourceMetrics.${i}.scopeMetrics.${j}.metrics`).forEach((m, k) => {
        const field = `resourceMetrics.${i}.scopeMetrics.${j}.metrics.${k}`;
        if (typeof m.name !== 'string' || m.name === '') throw AppError.invalid(`${field}.name`, 'must be a non-empty string');
        const sum = obj(m.sum, `${field}.sum`);
        const gauge = obj(m.gauge, `${field}.gauge`);
        const data = sum ?? gauge;
        if (!data) return;
        const t = sum ? Number(sum.aggregationTemporality ?? 0) : 0;
        if (t !== 0 && t !== 1 && t !== 2) throw AppError.invalid(`${field}.sum.aggregationTemporality`, 'must be 0, 1 or 2');
        list(data.dataPoints, `${field}.${sum ? 'sum' : 'gauge'}.dataPoints`).forEach((p, n) => {
          const pf = `${field}.${sum ? 'sum' : 'gauge'}.dataPoints.${n}`;
          out.push({
            metric: m.name as string,
            kind: sum ? 'sum' : 'gauge',
            temporality: t as 0 | 1 | 2,
            attrs: { ...resource, ...attributes(p.attributes, `${pf}.attributes`) },
            startNano: int64(p.startTimeUnixNano, `${pf}.startTimeUnixNano`) ?? '0',
            timeNano: int64(p.timeUnixNano, `${pf}.timeUnixNano`) ?? '0',
            value: pointValue(p, pf),
          });
        });
      });
    });
  });
  return out;
}

/** The success response: an Export*ServiceResponse, with partialSuccess when records were rejected. */
export function encodeResponse(signal: OtlpSignal, encoding: OtlpEncoding, rejected: number, errorMessage: string): Uint8Array | string {
  const partial =
    rejected > 0
      ? { partialSuccess: signal === 'logs' ? { rejectedLogRecords: String(rejected), errorMessage } : { rejectedDataPoints: String(rejected), errorMessage } }
      : {};
  if (encoding === 'json') return JSON.stringify(partial);
  const types = otlpTypes();
  const type = signal === 'logs' ? types.logsResponse : types.metricsResponse;
  return type.encode(type.fromObject(partial)).finish();
}

/** A google.rpc.Status body for an error response (code: the gRPC code the HTTP status maps to). */
export function encodeStatus(encoding: OtlpEncoding, code: number, message: string): Uint8Array | string {
  if (encoding === 'json') return JSON.stringify({ code, message });
  const type = otlpTypes().status;
  return type.encode(type.fromObject({ code, message })).finish();
}
