/**
 * Every MCP tool of the server, registered in one place.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tool-deps.js';
import { registerAnalyticsTools } from './analytics-tools.js';
import { registerTrackSkillInvocationTool } from './track-skill-invocation.js';
import { registerTrackSkillInvocationsTool } from './track-skill-invocations.js';

export function registerAllTools(server: McpServer, deps: ToolDeps): void {
  registerTrackSkillInvocationTool(server, deps);
  registerTrackSkillInvocationsTool(server, deps);
  registerAnalyticsTools(server, deps);
}
