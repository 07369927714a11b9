/**
 * The skills-analytics tools: real-time metrics, anomalies, trends, community
 * baselines and dependencies. They share one set of query/record objects per
 * registration (i.e. per MCP server).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tool-deps.js';
import { createAnalyticsContext } from './analytics-window.js';
import { registerDetectAnomaliesTool } from './detect-anomalies.js';
import { registerGetCommunityBaselinesTool } from './get-community-baselines.js';
import { registerGetRealTimeMetricsTool } from './get-real-time-metrics.js';
import { registerGetSkillDependenciesTool } from './get-skill-dependencies.js';
import { registerGetSkillTrendTool } from './get-skill-trend.js';
import { registerUpdateCommunityBaselinesTool } from './update-community-baselines.js';

export function registerAnalyticsTools(server: McpServer, deps: ToolDeps): void {
  const ctx = createAnalyticsContext(deps);
  registerGetRealTimeMetricsTool(server, deps, ctx);
  registerDetectAnomaliesTool(server, deps);
  registerGetSkillTrendTool(server, deps, ctx);
  registerGetCommunityBaselinesTool(server, deps, ctx);
  registerUpdateCommunityBaselinesTool(server, deps);
  registerGetSkillDependenciesTool(server, deps, ctx);
}
