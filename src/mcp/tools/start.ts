import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { renderStartMarkdown } from '../../session/report-markdown.js';
import { startJson } from '../../session/report-json.js';
import { resolveWorkingDirectory } from '../client-roots.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { startShape, workingDirectoryField } from './session-schemas.js';

export function registerStartTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'start',
      title: 'Start session',
      description:
        'Open a work session for a project directory (absolute path). Detects the project type (Node/TypeScript, Python), ' +
        'records the git branch and HEAD, measures a baseline Quality Score V2, and returns the handoff the previous session ' +
        'in this directory left at `end` (if any). Calling it again while a session for the directory is open resumes that session. ' +
        "The dependency audit may contact the npm registry. Without working_directory: the client's first file:// root " +
        "when the client offers MCP roots, else the server's working directory (working_directory_source says which).",
      inputSchema: { working_directory: workingDirectoryField.optional() },
      outputSchema: {
        ...startShape,
        working_directory_source: z
          .enum(['argument', 'client_root', 'server_cwd'])
          .describe("Where the project directory came from: the argument, the client's MCP roots, or the server's working directory"),
      },
      annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: true },
    },
    async ({ working_directory }) => {
      const dir = await resolveWorkingDirectory(server, working_directory);
      const r = await deps.sessions.start(dir.path);
      const markdown = renderStartMarkdown(r);
      return { structured: { ...startJson(r, markdown), working_directory_source: dir.source }, text: markdown };
    },
  );
}
