/**
 * What an MCP server refuses before any method runs, as JSON-RPC 2.0 errors
 * (section 5.1): a line that is not JSON (-32700 Parse error, id null), a
 * message that is not a valid JSON-RPC message (-32600 Invalid Request) and one
 * whose `params` break their rules (-32602 Invalid params), the last two under
 * the message's id when it has a usable one (else id null).
 *
 * The one place where such a refusal becomes a JSON-RPC error: its message is
 * one line naming the field and the rule (`method: is required`,
 * `params.cursor: must be a string, not a number`), as a
 * tool's input errors are, and `data` holds them as `{ field, rule }`.
 *
 * Why: the SDK takes only what its JSONRPCMessageSchema accepts. Its stdio
 * transport drops the rest with no answer (a client waits on the id forever),
 * its Streamable HTTP transport answers all of it -32700 "Invalid JSON-RPC
 * message" (valid JSON), and a request whose params fail its method's schema
 * gets -32603 Internal error with the zod issues as the message. The
 * transports (server/stdio-transport.ts, server/mcp-sessions.ts) check messages
 * here first; request-params.ts maps the failed params.
 */
import {
  ErrorCode,
  type JSONRPCMessage,
  JSONRPCErrorResponseSchema,
  JSONRPCMessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
  type RequestId,
  RequestIdSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { invalidInputOf } from '../validation.js';

/** The field named when the message as a whole is at fault (as `(input)` is for a whole tool input). */
const WHOLE = '(message)';

export interface JsonRpcError {
  code: number;
  message: string;
  data?: { field?: string; rule?: string };
}

export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  id: RequestId | null;
  error: JsonRpcError;
}

/** An INVALID_INPUT error as the JSON-RPC error `code`: its message (`field: rule`), and field and rule as `data`. */
export function jsonRpcErrorOf(code: ErrorCode.InvalidRequest | ErrorCode.InvalidParams, err: AppError): JsonRpcError {
  const { field, rule } = err.details;
  return { code, message: err.message, data: { field, rule } };
}

/**
 * A JSON-RPC error as a request handler throws it: the SDK's Protocol answers with its numeric
 * `code`, `message` and `data` as they are (an McpError would prefix its message with `MCP error -32602: `).
 */
export function thrownJsonRpcError(error: JsonRpcError): Error & JsonRpcError {
  return Object.assign(new Error(error.message), error);
}

export type MessageCheck =
  | { ok: true; message: JSONRPCMessage }
  | {
      ok: false;
      reply: JsonRpcErrorResponse;
      /**
       * Whether the sender waits for an answer: false for what has the shape of a notification
       * or of a response, which JSON-RPC never answers (answering a response could set two peers
       * answering each other). Over HTTP every refused POST is answered anyway, being a request.
       */
      answer: boolean;
    };

/** One line of the stdio transport (its newline removed): -32700 when it is not JSON, else as `checkJsonRpcMessage`. */
export function readJsonRpcLine(line: string): MessageCheck {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, answer: true, reply: errorResponse(null, { code: ErrorCode.ParseError, message: `Parse error: ${(err as Error).message}` }) };
  }
  return checkJsonRpcMessage(value);
}

/** A parsed JSON value: the message when the SDK takes it, else the error to answer it with. */
export function checkJsonRpcMessage(value: unknown): MessageCheck {
  const parsed = JSONRPCMessageSchema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const refused = refusal(value);
  return { ok: false, answer: refused.answer, reply: errorResponse(refused.id, jsonRpcErrorOf(refused.code, refused.error)) };
}

/**
 * A POST body of the Streamable HTTP transport, one message or a batch (an array) of them:
 * null when the SDK takes every message, else the error for the first it would refuse
 * (its field numbered by its place in the batch, e.g. `1.method: is required`).
 */
export function checkJsonRpcBody(value: unknown): JsonRpcErrorResponse | null {
  if (!Array.isArray(value)) {
    const check = checkJsonRpcMessage(value);
    return check.ok ? null : check.reply;
  }
  if (value.length === 0) return errorResponse(null, jsonRpcErrorOf(ErrorCode.InvalidRequest, AppError.invalid('(batch)', 'must hold at least 1 message')));
  for (const [i, item] of value.entries()) {
    if (JSONRPCMessageSchema.safeParse(item).success) continue;
    const refused = refusal(item);
    const { field, rule } = refused.error.details as { field: string; rule: string };
    return errorResponse(refused.id, jsonRpcErrorOf(refused.code, AppError.invalid(field === WHOLE ? String(i) : `${i}.${field}`, rule)));
  }
  return null;
}

function errorResponse(id: RequestId | null, error: JsonRpcError): JsonRpcErrorResponse {
  return { jsonrpc: '2.0', id, error };
}

interface Refusal {
  id: RequestId | null;
  answer: boolean;
  code: ErrorCode.InvalidRequest | ErrorCode.InvalidParams;
  error: AppError;
}

/** Why a value the SDK's JSONRPCMessageSchema refuses is not a message, and whether and under which id it is answered. */
function refusal(value: unknown): Refusal {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { id: null, answer: true, code: ErrorCode.InvalidRequest, error: AppError.invalid(WHOLE, `must be a JSON object, not ${kindOf(value)}`) };
  }
  const m = value as Record<string, unknown>;
  if ('result' in m || 'error' in m) {
    const schema = 'error' in m ? JSONRPCErrorResponseSchema : JSONRPCResultResponseSchema;
    return { id: null, answer: false, code: ErrorCode.InvalidRequest, error: envelopeProblem(m, 'id' in m) ?? zodProblem(schema, m) };
  }
  const request = 'id' in m;
  if (!request && typeof m.method !== 'string') {
    // Neither a request (no id) nor a notification (no method): answered under id null, as JSON-RPC asks.
    return { id: null, answer: true, code: ErrorCode.InvalidRequest, error: envelopeProblem(m, false) ?? zodProblem(JSONRPCNotificationSchema, m) };
  }
  const id = RequestIdSchema.safeParse(m.id).success ? (m.id as RequestId) : null;
  const error = envelopeProblem(m, request) ?? zodProblem(request ? JSONRPCRequestSchema : JSONRPCNotificationSchema, m);
  const field = error.details.field ?? '';
  const code = field === 'params' || field.startsWith('params.') ? ErrorCode.InvalidParams : ErrorCode.InvalidRequest;
  return { id, answer: request, code, error };
}

/** The first member of the envelope that breaks its rule, with a plainer rule than the SDK schema's union would give. */
function envelopeProblem(m: Record<string, unknown>, hasId: boolean): AppError | null {
  if (m.jsonrpc !== '2.0') return AppError.invalid('jsonrpc', m.jsonrpc === undefined ? 'is required (must be "2.0")' : 'must be "2.0"');
  if (hasId && !RequestIdSchema.safeParse(m.id).success) return AppError.invalid('id', `must be a string or an integer, not ${kindOf(m.id)}`);
  if ('result' in m || 'error' in m) return null;
  if (typeof m.method !== 'string') return AppError.invalid('method', m.method === undefined ? 'is required' : `must be a string, not ${kindOf(m.method)}`);
  if ('params' in m && (typeof m.params !== 'object' || m.params === null || Array.isArray(m.params))) {
    return AppError.invalid('params', `must be an object of named parameters, not ${kindOf(m.params)}`);
  }
  return null;
}

/** The first field of `m` that `schema` refuses, named as validation.ts names a tool's. */
function zodProblem(schema: { safeParse(value: unknown): { error?: z.core.$ZodError } }, m: Record<string, unknown>): AppError {
  const error = schema.safeParse(m).error;
  return error ? invalidInputOf(error, m) : AppError.invalid(WHOLE, 'is not a JSON-RPC message');
}

/** What a value is, for a rule it broke: `an array`, `null`, `a string`, or a number or boolean itself. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `a ${typeof v}`;
}
