/**
 * The one place where application results and errors are mapped to MCP
 * CallToolResult objects.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toAppError } from '../errors.js';

export function okResult(structured: Record<string, unknown>, text: string): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

export function errorResult(err: unknown): CallToolResult {
  const e = toAppError(err);
  const field = typeof e.details.field === 'string' ? e.details.field : undefined;
  return {
    isError: true,
    content: [{ type: 'text', text: `${e.code}: ${e.message}` }],
    structuredContent: { error: { code: e.code, message: e.message, ...e.details, ...(field ? { field } : {}) } },
  };
}
