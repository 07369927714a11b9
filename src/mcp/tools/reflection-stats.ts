import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatBytes } from '../../format-bytes.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';

export function registerReflectionStatsTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'reflection_stats',
      title: 'Reflection memory statistics',
      description:
        'What the memory holds: reflections in total and per kind (note, checkpoint, precompact), projects, the oldest and ' +
        'newest creation time, notes linked as near-duplicates, the size of the stored text in bytes, and search by meaning: ' +
        'the embedding model, its state (off, idle: loads on the first search, loading, ready, failed) and how many ' +
        'reflections have their vector (the rest are embedded in the background).',
      inputSchema: {},
      outputSchema: {
        total: z.number().int(),
        projects: z.number().int().describe('Distinct projects (reflections without a project not counted)'),
        oldest: z.string().nullable(),
        newest: z.string().nullable(),
        by_kind: z.object({ note: z.number().int(), checkpoint: z.number().int(), precompact: z.number().int() }),
        near_duplicates: z.number().int().describe('Reflections stored linked to an earlier near-duplicate'),
        bytes: z.number().int().describe('UTF-8 bytes of content, tags, files and structured records'),
        embeddings: z.object({
          state: z.enum(['off', 'idle', 'loading', 'ready', 'failed']),
          reason: z.string().nullable().describe('Why search by meaning is not available; null when ready'),
          model: z.string(),
          embedded: z.number().int().describe('Reflections that have their vector'),
        }),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const s = await deps.reflections.stats();
      const text =
        `${s.total} reflection(s): ${s.by_kind.note} notes, ${s.by_kind.checkpoint} checkpoints, ${s.by_kind.precompact} saved contexts; ` +
        `${s.projects} project(s); ${s.near_duplicates} near-duplicate(s); ${formatBytes(s.bytes)}` +
        (s.oldest ? `; from ${s.oldest} to ${s.newest}` : '') +
        `. Search by meaning: ${s.embeddings.state}${s.embeddings.reason ? ` (${s.embeddings.reason})` : ''}, ${s.embeddings.embedded} of ${s.total} embedded.`;
      return { structured: { ...s, by_kind: { ...s.by_kind }, embeddings: { ...s.embeddings } }, text };
    },
  );
}
