import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { checkpointJson } from '../../session/report-json.js';
import { renderCheckpointMarkdown } from '../../session/report-markdown.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { checkpointShape, sessionIdField, workingDirectoryField } from './session-schemas.js';
import { NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE } from '../../validation.js';

export function registerCheckpointTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'checkpoint',
      title: 'Session checkpoint analysis',
      description:
        'Measure the project now and report: Quality Score V2 (tests, type checking, lint, documentation, dependencies, git ' +
        'hygiene, security basics; weights sum to 100) with the evidence behind every number, change since the session ' +
        "started and since the last checkpoint, commits made during the session, the session's skill metrics, how full the " +
        "agent's context window is (from its transcript; compacting is recommended at 75%), storage usage " +
        'with a compaction recommendation, and prioritised recommendations. Anything that cannot be measured is reported as ' +
        '"not measured" with the reason. Targets session_id, else the open session of working_directory (an ad-hoc report ' +
        'when that directory has none), else the current session.',
      inputSchema: {
        session_id: sessionIdField.optional().describe('Session to checkpoint (default: the current session)'),
        working_directory: workingDirectoryField.optional(),
        transcript_path: z
          .string()
          .min(1, 'must not be empty')
          .max(4096, 'must be at most 4096 characters')
          .regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE)
          .optional()
          .describe("The agent's transcript (JSONL) for context fullness; default: the newest Claude Code transcript of the directory"),
      },
      outputSchema: checkpointShape,
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: true },
    },
    async ({ session_id, working_directory, transcript_path }) => {
      const r = await deps.sessions.checkpoint({
        ...(session_id !== undefined ? { sessionId: session_id } : {}),
        ...(working_directory !== undefined ? { workingDirectory: working_directory } : {}),
        ...(transcript_path !== undefined ? { transcriptPath: transcript_path } : {}),
      });
      const markdown = renderCheckpointMarkdown(r);
      return { structured: checkpointJson(r, markdown), text: markdown };
    },
  );
}
