/**
 * The environment that points Claude Code's own telemetry at this server:
 * OTLP over http/protobuf to `<server>/v1/logs` and `/v1/metrics`. Without
 * OTEL_LOGS_EXPORTER=otlp no events (tool_result, api_request) are sent at
 * all; metrics alone carry no per-call data. OTEL_LOG_TOOL_DETAILS=1 makes
 * Claude Code send `tool_parameters` (the skill, subagent and MCP names of a
 * call) and custom skills' real names on `skill_activated` instead of
 * `custom_skill` (Claude Code's Monitoring page): without it the receiver
 * cannot name Skill, Agent and MCP calls nor custom typed skills, and leaves
 * them to the hooks. The receiver stores none of the parameters themselves.
 */
import { shellQuote } from './mcp-config.js';
import { serverBaseUrl } from './server-url.js';

export interface OtelConfigOptions {
  host: string;
  port: number;
  /** The installation token, when the server demands one; null otherwise. */
  token: string | null;
}

/** The variables in the order they are printed. */
export function otelEnv(opts: OtelConfigOptions): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: serverBaseUrl(opts.host, opts.port),
    OTEL_LOG_TOOL_DETAILS: '1',
    ...(opts.token !== null ? { OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${opts.token}` } : {}),
  };
}

/** `export NAME=value` lines for a shell (values single-quoted where needed). */
export function shellLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
}
