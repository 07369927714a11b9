/**
 * Claude Code's metrics to Prometheus counters. Each known `claude_code.*`
 * Sum becomes one counter family with a small fixed set of labels; the
 * per-session and per-user attributes (session.id, user.id, ...) are dropped,
 * so the series count stays bounded. Unknown metrics and gauges are ignored.
 * `skill_activated` events are counted here too (by trigger and source).
 * Metric names, attribute names and values (token `type`: input, output,
 * cacheRead, cacheCreation; `invocation_trigger`: user-slash,
 * claude-proactive, nested-skill) are those of Claude Code's Monitoring page
 * (code.claude.com/docs/en/monitoring-usage, "Metrics" and "Metric details").
 */

export interface TelemetryFamily {
  /** The Prometheus name (a counter: ends in _total). */
  name: string;
  help: string;
  /** OTLP attribute → Prometheus label. */
  labels: Readonly<Record<string, string>>;
}

const MODEL = { model: 'model' };

/** The Claude Code metrics exported on /metrics, by OTLP metric name. */
export const TELEMETRY_FAMILIES: Readonly<Record<string, TelemetryFamily>> = {
  'claude_code.cost.usage': {
    name: 'claude_code_cost_usd_total',
    help: "Cost of Claude Code's API requests in USD (from its OTLP metrics, since the server started).",
    labels: { ...MODEL, 'skill.name': 'skill' },
  },
  'claude_code.token.usage': {
    name: 'claude_code_tokens_total',
    help: 'Tokens Claude Code used, by model and type (input, output, cacheRead, cacheCreation).',
    labels: { ...MODEL, type: 'type', 'skill.name': 'skill' },
  },
  'claude_code.session.count': { name: 'claude_code_sessions_total', help: 'Claude Code sessions started.', labels: {} },
  'claude_code.lines_of_code.count': {
    name: 'claude_code_lines_of_code_total',
    help: 'Lines of code Claude Code added or removed, by type.',
    labels: { type: 'type' },
  },
  'claude_code.commit.count': { name: 'claude_code_commits_total', help: 'Git commits Claude Code created.', labels: {} },
  'claude_code.pull_request.count': { name: 'claude_code_pull_requests_total', help: 'Pull requests Claude Code created.', labels: {} },
  'claude_code.code_edit_tool.decision': {
    name: 'claude_code_code_edit_tool_decisions_total',
    help: 'Permission decisions on code-editing tools, by tool and decision.',
    labels: { tool_name: 'tool', decision: 'decision' },
  },
  'claude_code.active_time.total': {
    name: 'claude_code_active_time_seconds_total',
    help: 'Time Claude Code was active, by type (user or cli).',
    labels: { type: 'type' },
  },
};

export const SKILL_ACTIVATIONS: TelemetryFamily = {
  name: 'claude_code_skill_activations_total',
  help: 'skill_activated events from Claude Code, by invocation trigger and skill source (names are not labels: custom skills read custom_skill).',
  labels: { invocation_trigger: 'trigger', 'skill.source': 'source' },
};

/** The Prometheus labels of a point: the family's attributes, '' when absent. */
export function labelsFor(family: TelemetryFamily, attrs: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [attr, label] of Object.entries(family.labels)) {
    const v = attrs[attr];
    out[label] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v).slice(0, 128) : '';
  }
  return out;
}
