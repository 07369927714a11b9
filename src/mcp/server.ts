/**
 * Builds an McpServer with every tool registered. One server per MCP
 * session (HTTP) or per process (stdio); they all share the app's store.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerSessionPrompts } from './prompts.js';
import { answerBadParamsAsInvalidParams } from './request-params.js';
import type { ToolDeps } from './tool-deps.js';
import { registerAllTools } from './tools/index.js';

const SERVER_NAME = 'session-buddy';

export function buildMcpServer(deps: ToolDeps, version: string): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version },
    {
      capabilities: { tools: {}, prompts: {}, logging: {} },
      instructions:
        'Session Buddy records the skills and tools an agent invokes and answers questions about them: ' +
        'usage, failures, anomalies, trends, recommendations and dependencies. Track invocations with ' +
        'track_skill_invocation; query with the get_* and detect_* tools. The session workflow (start, checkpoint, ' +
        'end) is also offered as prompts.',
    },
  );
  registerAllTools(server, deps);
  registerSessionPrompts(server);
  // Last: it applies to the handlers registered so far.
  answerBadParamsAsInvalidParams(server);
  return server;
}
