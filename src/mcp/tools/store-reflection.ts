import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { MAX_CONTENT_CHARS, MAX_PROJECT_CHARS, MAX_TAG_CHARS, MAX_TAGS, NEAR_DUPLICATE_THRESHOLD } from '../../memory/reflection-service.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { reflectionSchema } from './session-schemas.js';
import { NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE } from '../../validation.js';

export const tagField = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_TAG_CHARS, `must be at most ${MAX_TAG_CHARS} characters`)
  .regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE);

export const projectField = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_PROJECT_CHARS, `must be at most ${MAX_PROJECT_CHARS} characters`)
  .regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE);

export const fileField = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters')
  .regex(NO_CONTROL_CHARS, NO_CONTROL_CHARS_RULE);

export function registerStoreReflectionTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'store_reflection',
      title: 'Store reflection',
      description:
        'Remember a note (insight, decision, gotcha) for later sessions. Tags are lower-cased. Storing the same content ' +
        'again in the same project (ignoring surrounding and repeated whitespace) returns the existing reflection with ' +
        'created=false; the same content under another project (or without a project, which counts as a project of its own) ' +
        'is stored for that project. ' +
        `A note whose words nearly repeat an earlier note of the same project (word-set Jaccard similarity >= ${NEAR_DUPLICATE_THRESHOLD}) ` +
        'is stored linked to it (duplicate_of) and reported in near_duplicate. File paths given in files or mentioned in ' +
        'the text are indexed for search_reflections file=. The reflection is searchable immediately.',
      inputSchema: {
        content: z
          .string()
          .min(1, 'must not be empty')
          .max(MAX_CONTENT_CHARS, `must be at most ${MAX_CONTENT_CHARS} characters`)
          .describe('The text to remember'),
        tags: z.array(tagField).max(MAX_TAGS, `at most ${MAX_TAGS} tags`).default([]).describe('Labels to filter by later'),
        project: projectField.optional().describe('Project the reflection belongs to'),
        files: z.array(fileField).max(100, 'at most 100 files').optional().describe('File paths the note is about'),
      },
      outputSchema: {
        ...reflectionSchema.shape,
        created: z.boolean().describe('false when identical content was already stored in this project (or, without project, without one)'),
        content_hash: z.string().describe('SHA-256 of the normalised content'),
        near_duplicate: z
          .object({ id: z.number().int(), similarity: z.number(), created_at: z.string() })
          .nullable()
          .describe('The earlier note this one nearly repeats (null when none)'),
      },
      annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ content, tags, project, files }) => {
      const r = await deps.reflections.store({ content, tags, project: project ?? null, ...(files ? { files } : {}) });
      const near = r.near_duplicate
        ? ` It nearly repeats reflection ${r.near_duplicate.id} (similarity ${r.near_duplicate.similarity}); linked as duplicate_of.`
        : '';
      return {
        structured: r,
        text: r.created
          ? `Stored reflection ${r.id}${r.tags.length ? ` [${r.tags.join(', ')}]` : ''}${r.project ? ` for ${r.project}` : ''}.${near}`
          : `Already stored ${r.project ? `for ${r.project}` : 'without a project'} as reflection ${r.id} on ${r.created_at} (same content); nothing added.`,
      };
    },
  );
}
