import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { statusJson } from '../../session/report-json.js';
import { renderStatusMarkdown } from '../../session/report-markdown.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { statusShape } from './session-schemas.js';

export function registerStatusTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'status',
      title: 'Session and server status',
      description:
        'The current session and other open sessions, recently ended sessions, server health (pid, uptime, memory), ' +
        'store size with the compaction recommendation, and reflection counts. Does not measure project quality (use checkpoint).',
      inputSchema: {},
      outputSchema: statusShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const r = await deps.sessions.status();
      const { embeddings: _embeddings, ...reflections } = await deps.reflections.stats();
      const markdown =
        renderStatusMarkdown(r) +
        `\n## Reflections\n\n- ${reflections.total} stored across ${reflections.projects} project(s)` +
        (reflections.newest ? `, newest ${reflections.newest}` : '') +
        '\n';
      return { structured: statusJson(r, { ...reflections }, markdown), text: markdown };
    },
  );
}
