/**
 * The one place where application results and errors are mapped to MCP
 * CallToolResult objects.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toAppError } from '../errors.js';

export function okResult(structured: Record<string, unknown>, text: string): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/**
 * An isError result. The first text block is for people ("INVALID_INPUT:
 * duration_ms: must be >= 0"); the second is the same error as JSON
 * (`{"error":{"code","message","field","rule",...}}`) for programs. No
 * structuredContent: clients validate it against the tool's output schema.
 */
export function errorResult(err: unknown): CallToolResult {
  const e = toAppError(err);
  return {
    isError: true,
    content: [
      { type: 'text', text: `${e.code}: ${e.message}` },
      { type: 'text', text: JSON.stringify({ error: { code: e.code, message: e.message, ...e.details } }) },
    ],
  };
}

/** Parses the machine-readable error block of an error result (for clients and tests). */
export function parseErrorResult(res: CallToolResult): { code: string; message: string; field?: string; rule?: string } | null {
  for (const block of res.content) {
    if (block.type !== 'text' || !block.text.startsWith('{"error"')) continue;
    try {
      return (JSON.parse(block.text) as { error: { code: string; message: string; field?: string; rule?: string } }).error;
    } catch {
      return null;
    }
  }
  return null;
}
