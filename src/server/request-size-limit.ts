/**
 * The answer to an MCP request larger than its transport accepts: a JSON-RPC
 * error (-32600 Invalid Request) that names the size and the limit, so a
 * client knows to split the request (a `track_skill_invocations` batch, say).
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';

/** Largest JSON-RPC line `session-buddy mcp` reads from stdin, its newline included (the SDK's own default). */
export const MAX_STDIO_REQUEST_BYTES = 10 * 1024 * 1024;

const MiB = 1024 * 1024;

/** `10 MiB` for a whole number of MiB; a size rounded up to 0.1 MiB otherwise, so it never reads as within the limit. */
function mib(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${(Math.ceil((bytes / MiB) * 10) / 10).toFixed(1)} MiB`;
}

/** `request of 12.3 MiB is larger than the 10 MiB a request may be over stdio` (`bytes` null: the size is unknown). */
export function requestTooLargeMessage(bytes: number | null, limit: number, over: 'stdio' | 'HTTP'): string {
  return `request${bytes === null ? '' : ` of ${mib(bytes)}`} is larger than the ${mib(limit)} a request may be over ${over}`;
}

/** The JSON-RPC error response; `id` null when the request's id is not known (JSON-RPC 2.0, section 5). */
export function requestTooLargeResponse<Id extends string | number | null>(id: Id, bytes: number | null, limit: number, over: 'stdio' | 'HTTP') {
  return { jsonrpc: '2.0' as const, id, error: { code: ErrorCode.InvalidRequest, message: requestTooLargeMessage(bytes, limit, over) } };
}
