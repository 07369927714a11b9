/**
 * The session workflow as MCP prompts (start, checkpoint, end), for clients
 * that offer prompts as slash commands. Each prompt asks the model to call the
 * tool of the same name and says what to do with its report; the tools do the
 * work.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const optionalText = (what: string) => z.string().max(4096).optional().describe(what);

function userMessage(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: 'user', content: { type: 'text', text } }] };
}

export function registerSessionPrompts(server: McpServer): void {
  server.registerPrompt(
    'start',
    {
      title: 'Start a work session',
      description: 'Open a Session Buddy session for the project: quality baseline and the previous handoff.',
      argsSchema: { working_directory: optionalText("Absolute project path (default: the client's root, else the server's directory)") },
    },
    ({ working_directory }) =>
      userMessage(
        'Start a Session Buddy work session',
        'Call the Session Buddy `start` tool' +
          (working_directory ? ` with working_directory "${working_directory}"` : " (without arguments: it uses this workspace's root)") +
          '. Then summarise in a few lines: the project detected, the Quality Score and its weakest checks, and what the ' +
          "previous session's handoff says to do next, if there is one.",
      ),
  );
  server.registerPrompt(
    'checkpoint',
    {
      title: 'Checkpoint the session',
      description: 'Measure the project now: quality change since the start, commits, skill metrics, recommendations.',
      argsSchema: { session_id: optionalText('Session to checkpoint (default: the current session)') },
    },
    ({ session_id }) =>
      userMessage(
        'Checkpoint the Session Buddy session',
        'Call the Session Buddy `checkpoint` tool' +
          (session_id ? ` with session_id "${session_id}"` : '') +
          '. Then report the Quality Score change since the session started, any check that got worse, and the top ' +
          'three recommendations; say which ones you will act on now.',
      ),
  );
  server.registerPrompt(
    'end',
    {
      title: 'End the session',
      description: 'Close the session with a final checkpoint and write the handoff the next start will show.',
      argsSchema: { session_id: optionalText('Session to end (default: the current session)') },
    },
    ({ session_id }) =>
      userMessage(
        'End the Session Buddy session',
        'Call the Session Buddy `end` tool' +
          (session_id ? ` with session_id "${session_id}"` : '') +
          '. Then summarise what was done in this session, the quality change from start to end, the open ' +
          'recommendations, and where the handoff file was written.',
      ),
  );
}
