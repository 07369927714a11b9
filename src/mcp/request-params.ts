/**
 * A protocol request whose params break its method's schema (`tools/list` with
 * `{"cursor":5}`, `logging/setLevel` with an unknown level, `prompts/get`
 * without a name…) answered -32602 Invalid params naming the field and the
 * rule (`params.cursor: must be a string, not a number`).
 * Tool arguments are not concerned: tools/call takes any params and answers
 * through the tool's own validation (define-tool.ts).
 *
 * Why: in @modelcontextprotocol/sdk 1.32.2 (the newest 1.x at the time of
 * writing) `Protocol.setRequestHandler` registers, for each method, a function
 * that parses the request against the method's schema and only then calls the
 * handler; a failed parse throws the ZodError itself, which the Protocol
 * answers -32603 Internal error with the issues, pretty-printed JSON over
 * many lines, as the message. No option or public hook changes that, and the
 * handlers of `initialize`, `ping` and `logging/setLevel` are registered by the
 * SDK's own constructors.
 *
 * What: once every handler is registered, each function in the Protocol's
 * private `_requestHandlers` map is wrapped. The parse runs synchronously,
 * before the handler, whose own results and errors come as a promise (every
 * handler of this server is async, or cannot throw): a zod error thrown
 * synchronously is the parse's, and becomes -32602 (jsonrpc-errors.ts).
 * Everything else passes unchanged.
 *
 * When the SDK renames the field, nothing is wrapped (the answers are -32603
 * again) and request-params.test.ts fails.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { invalidInputOf } from '../validation.js';
import { jsonRpcErrorOf, thrownJsonRpcError } from './jsonrpc-errors.js';

type RegisteredHandler = (request: unknown, extra: unknown) => Promise<unknown>;

interface ProtocolInternals {
  _requestHandlers?: Map<string, RegisteredHandler>;
}

/** Wraps the request handlers registered on `server` so far (call it once all are). */
export function answerBadParamsAsInvalidParams(server: McpServer): void {
  const handlers = (server.server as unknown as ProtocolInternals)._requestHandlers;
  if (!(handlers instanceof Map)) return;
  for (const [method, registered] of handlers) {
    handlers.set(method, (request, extra) => {
      try {
        return registered(request, extra);
      } catch (err) {
        if (err instanceof z.core.$ZodError) throw thrownJsonRpcError(jsonRpcErrorOf(ErrorCode.InvalidParams, invalidInputOf(err, request)));
        throw err;
      }
    });
  }
}
