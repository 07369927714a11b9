/**
 * Registers a tool on an McpServer with the cross-cutting behaviour every
 * tool shares: per-client rate limiting, error mapping, and a `tool.called`
 * event (which feeds the Prometheus tool metrics).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { toAppError } from '../errors.js';
import type { ToolDeps } from './tool-deps.js';
import { errorResult, okResult } from './tool-result.js';

export interface ToolSpec<In extends z.ZodRawShape, Out extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  inputSchema: In;
  outputSchema: Out;
  annotations?: ToolAnnotations;
}

export interface ToolOutput<Out extends z.ZodRawShape> {
  structured: z.infer<z.ZodObject<Out>>;
  /** A short human-readable summary. */
  text: string;
}

export function defineTool<In extends z.ZodRawShape, Out extends z.ZodRawShape>(
  server: McpServer,
  deps: ToolDeps,
  spec: ToolSpec<In, Out>,
  handler: (args: z.infer<z.ZodObject<In>>) => Promise<ToolOutput<Out>>,
): void {
  const callback = async (args: z.infer<z.ZodObject<In>>) => {
    const started = performance.now();
    try {
      deps.rateLimiter.take(deps.clientId);
      const out = await handler(args);
      deps.bus.emit('tool.called', { tool: spec.name, outcome: 'ok', seconds: (performance.now() - started) / 1000 });
      return okResult(out.structured as Record<string, unknown>, out.text);
    } catch (err) {
      const e = toAppError(err);
      if (e.code === 'INTERNAL') deps.logger.error('tool failed', { tool: spec.name, err: e, cause: e.cause });
      deps.bus.emit('tool.called', { tool: spec.name, outcome: 'error', code: e.code, seconds: (performance.now() - started) / 1000 });
      return errorResult(e);
    }
  };
  server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.inputSchema,
      outputSchema: spec.outputSchema,
      annotations: spec.annotations,
    },
    // The SDK's callback type is generic over the schema; our wrapper is equivalent.
    callback as never,
  );
}
