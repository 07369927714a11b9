/**
 * Every MCP tool of the server, registered in one place.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tool-deps.js';
import { registerAnalyticsTools } from './analytics-tools.js';
import { registerCheckpointTool } from './checkpoint.js';
import { registerEndTool } from './end.js';
import { registerGetSkillReportTool } from './get-skill-report.js';
import { registerInsightTools } from './insight-tools.js';
import { registerReflectionStatsTool } from './reflection-stats.js';
import { registerSearchReflectionsTool } from './search-reflections.js';
import { registerStartTool } from './start.js';
import { registerStatusTool } from './status.js';
import { registerStoreReflectionTool } from './store-reflection.js';
import { registerTrackSkillInvocationTool } from './track-skill-invocation.js';
import { registerTrackSkillInvocationsTool } from './track-skill-invocations.js';

export function registerAllTools(server: McpServer, deps: ToolDeps): void {
  registerTrackSkillInvocationTool(server, deps);
  registerTrackSkillInvocationsTool(server, deps);
  registerAnalyticsTools(server, deps);
  registerGetSkillReportTool(server, deps);
  registerStartTool(server, deps);
  registerCheckpointTool(server, deps);
  registerEndTool(server, deps);
  registerStatusTool(server, deps);
  registerStoreReflectionTool(server, deps);
  registerSearchReflectionsTool(server, deps);
  registerReflectionStatsTool(server, deps);
  if (deps.insights) registerInsightTools(server, deps, deps.insights);
}
