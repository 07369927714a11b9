/**
 * Registers a tool on an McpServer with the cross-cutting behaviour every
 * tool shares: one input validation, per-client rate limiting, error mapping,
 * and a `tool.called` event (which feeds the Prometheus tool metrics).
 *
 * The server's `tools/list` and `tools/call` are answered here, not by the
 * SDK's McpServer tool machinery: the SDK rejects schema failures, unknown
 * tools and non-object `arguments` itself (a one-line text, or a JSON-RPC
 * error) before any tool code runs, so those rejections could be neither
 * structured nor counted. Here every call, whatever rejects it, ends in the
 * same `isError` result (see tool-result.ts) and one `tool.called` event.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ListToolsRequestSchema, type CallToolResult, type Tool, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AppError, toAppError } from '../errors.js';
import type { ToolDeps } from './tool-deps.js';
import { parseToolArguments, toolJsonSchemas } from './tool-input.js';
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

/** The `tool` label of calls naming no registered tool (a fixed label: names are caller input). */
export const UNKNOWN_TOOL_LABEL = '(unknown)';

interface RegisteredTool {
  /** As tools/list shows it; built on the first tools/list of the server (a session that never lists pays nothing). */
  definition(): Tool;
  run(args: unknown): Promise<CallToolResult>;
}

/** The tools of one McpServer (one per MCP session, or per process for stdio). */
class ToolTable {
  readonly tools = new Map<string, RegisteredTool>();

  constructor(
    server: McpServer,
    private readonly deps: ToolDeps,
  ) {
    const low = server.server;
    low.registerCapabilities({ tools: {} });
    low.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...this.tools.values()].map((t) => t.definition()) }));
    // Registered at the protocol level: the Server's own tools/call wrapper answers non-object
    // `arguments` with a JSON-RPC error before any handler runs.
    Protocol.prototype.setRequestHandler.call(low, callRequestSchema as never, ((req: z.infer<typeof callRequestSchema>) => this.call(req.params)) as never);
  }

  private async call(raw: unknown): Promise<CallToolResult> {
    const params = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const name = params.name;
    const tool = typeof name === 'string' ? this.tools.get(name) : undefined;
    if (tool) return tool.run(params.arguments);
    const started = performance.now();
    let e: AppError;
    try {
      this.deps.rateLimiter.take(this.deps.clientId);
      e =
        typeof name !== 'string'
          ? AppError.invalid('name', 'must be the name of a tool (a string)')
          : new AppError('NOT_FOUND', `name: no tool '${name.slice(0, 128)}' (see tools/list)`, { field: 'name', rule: 'must name a listed tool' });
    } catch (err) {
      e = toAppError(err);
    }
    this.deps.bus.emit('tool.called', { tool: UNKNOWN_TOOL_LABEL, outcome: 'error', code: e.code, seconds: (performance.now() - started) / 1000 });
    return errorResult(e);
  }
}

/** Any tools/call request: its params are checked by ToolTable.call, so every rejection is a tool result. */
const callRequestSchema = z.object({ method: z.literal('tools/call'), params: z.unknown() });

const tables = new WeakMap<McpServer, ToolTable>();

function tableOf(server: McpServer, deps: ToolDeps): ToolTable {
  let table = tables.get(server);
  if (!table) {
    table = new ToolTable(server, deps);
    tables.set(server, table);
  }
  return table;
}

export function defineTool<In extends z.ZodRawShape, Out extends z.ZodRawShape>(
  server: McpServer,
  deps: ToolDeps,
  spec: ToolSpec<In, Out>,
  handler: (args: z.infer<z.ZodObject<In>>) => Promise<ToolOutput<Out>>,
): void {
  const table = tableOf(server, deps);
  if (table.tools.has(spec.name)) throw new Error(`tool ${spec.name} is already registered`);
  // Built once per registration: zod compiles a schema on its first parse.
  const input = z.object(spec.inputSchema).strict();
  const output = z.object(spec.outputSchema);
  const run = async (rawArgs: unknown): Promise<CallToolResult> => {
    const started = performance.now();
    try {
      deps.rateLimiter.take(deps.clientId);
      const out = await handler(parseToolArguments(input, rawArgs));
      const checked = output.safeParse(out.structured);
      if (!checked.success) throw new Error(`structured output does not match the output schema: ${checked.error.message}`);
      deps.bus.emit('tool.called', { tool: spec.name, outcome: 'ok', seconds: (performance.now() - started) / 1000 });
      return okResult(out.structured as Record<string, unknown>, out.text);
    } catch (err) {
      const e = toAppError(err);
      if (e.code === 'INTERNAL') deps.logger.error('tool failed', { tool: spec.name, err: e, cause: e.cause });
      deps.bus.emit('tool.called', { tool: spec.name, outcome: 'error', code: e.code, seconds: (performance.now() - started) / 1000 });
      return errorResult(e);
    }
  };
  let definition: Tool | undefined;
  const describe = (): Tool =>
    (definition ??= {
      name: spec.name,
      title: spec.title,
      description: spec.description,
      ...(toolJsonSchemas(input, output) as Pick<Tool, 'inputSchema' | 'outputSchema'>),
      ...(spec.annotations ? { annotations: spec.annotations } : {}),
    });
  table.tools.set(spec.name, { definition: describe, run });
}
