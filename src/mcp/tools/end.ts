import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { endJson } from '../../session/report-json.js';
import { renderCheckpointMarkdown } from '../../session/report-markdown.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { checkpointShape, sessionIdField } from './session-schemas.js';

export function registerEndTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'end',
      title: 'End session',
      description:
        'Close a session (default: the current one) with a final checkpoint, and write a handoff — what was done, the ' +
        'quality change since start and the open recommendations — as Markdown plus JSON into the data directory. ' +
        'The next `start` in the same directory returns it.',
      inputSchema: { session_id: sessionIdField.optional().describe('Session to end (default: the current session)') },
      outputSchema: {
        ...checkpointShape,
        handoff: z.object({ markdown_path: z.string(), json_path: z.string() }),
      },
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: true },
    },
    async ({ session_id }) => {
      const r = await deps.sessions.end(session_id);
      const markdown = renderCheckpointMarkdown(r.report);
      return {
        structured: endJson(r, markdown),
        text: `${markdown}\nHandoff written to ${r.handoff.markdownPath}\n`,
      };
    },
  );
}
