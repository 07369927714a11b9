import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  DEFAULT_SEARCH_LIMIT,
  MAX_QUERY_CHARS,
  MAX_SEARCH_LIMIT,
  MAX_TAGS,
  MEANING_ONLY_MIN_SIMILARITY,
  SEARCH_MODES,
} from '../../memory/reflection-service.js';
import { defineTool } from '../define-tool.js';
import type { ToolDeps } from '../tool-deps.js';
import { intField } from './analytics-window.js';
import { reflectionSchema } from './session-schemas.js';
import { fileField, projectField, tagField } from './store-reflection.js';

const isoField = z
  .string()
  .max(40, 'must be at most 40 characters')
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO 8601 date or date-time');

export function registerSearchReflectionsTool(server: McpServer, deps: ToolDeps): void {
  defineTool(
    server,
    deps,
    {
      name: 'search_reflections',
      title: 'Search reflections',
      description:
        'Searches stored reflections. Mode "hybrid" (default) fuses a keyword search with a search by meaning (an offline ' +
        'sentence-embedding model, so paraphrases sharing no word are found; a note found by meaning alone needs a cosine similarity of at least ' +
        `${MEANING_ONLY_MIN_SIMILARITY} to the query (a keyword hit, 0.25), so a query about nothing stored finds nothing) by reciprocal-rank fusion (k = 60); mode ` +
        '"keyword" is the full-text search alone (SQLite FTS5 with porter stemming / PostgreSQL full text), ranked by BM25: ' +
        'any query word may match, reflections matching more and rarer words rank higher. The output names the mode that ' +
        'answered and, when hybrid was asked for but keyword answered (model still loading, unavailable or turned off), why. ' +
        'Query text is taken literally (quotes, *, :, NEAR are not ' +
        "operators). Each result has its date and a score from 0 to 1 relative to the best result of the list (each hit's rank over " +
        "the best one's, 3 significant digits): the best scores 1, 0.5 is half its rank; without a query every score is 0. A 1 is the best " +
        'of this search, not a perfect match: compare scores within one result list only. ' +
        'Filters: project, tags (all required), file (a path the reflection names or mentions; a suffix after "/" matches), ' +
        'kind (note, checkpoint, precompact), since/until (ISO 8601, a date that exists; a date-only until includes that whole UTC day, so since = until = one date is that day). With filters the query may be omitted: newest first.',
      inputSchema: {
        query: z
          .string()
          .min(1, 'must not be empty')
          .max(MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`)
          .optional()
          .describe('Words to search for (optional when a filter is given)'),
        limit: intField(1, MAX_SEARCH_LIMIT).default(DEFAULT_SEARCH_LIMIT).describe('Maximum results'),
        project: projectField.optional().describe('Only reflections of this project'),
        tags: z.array(tagField).max(MAX_TAGS, `at most ${MAX_TAGS} tags`).optional().describe('Only reflections carrying all these tags'),
        file: fileField.optional().describe('Only reflections naming this file path (or a path ending in "/" + it)'),
        kind: z.enum(['note', 'checkpoint', 'precompact']).optional().describe('Only this kind of reflection'),
        since: isoField.optional().describe('Only reflections created at or after this time'),
        until: isoField.optional().describe('Only reflections created before this time (a date-only until: through the end of that UTC day)'),
        mode: z.enum(SEARCH_MODES).optional().describe('hybrid (default): keyword + meaning; keyword: full-text search only'),
      },
      outputSchema: {
        query: z.string(),
        mode: z.enum(SEARCH_MODES).describe('The mode that answered'),
        mode_reason: z.string().nullable().describe('Why keyword answered although hybrid was asked for; null otherwise'),
        fts_query: z.string().describe('The full-text query that was run (FTS5 expression on SQLite, tsquery on PostgreSQL)'),
        count: z.number().int(),
        results: z.array(
          reflectionSchema.extend({
            score: z
              .number()
              .describe(
                "Relevance from 0 to 1 relative to the best result (1): the hit's rank over the best one's; the rank is -bm25() (SQLite) or ts_rank_cd (PostgreSQL) in keyword mode, the fused Σ 1/(60 + rank) in hybrid mode; 0 without a query",
              ),
            ranks: z
              .object({ keyword: z.number().int().nullable(), meaning: z.number().int().nullable() })
              .optional()
              .describe('hybrid only: rank in the keyword list and in the meaning list (null: not a candidate there)'),
            similarity: z
              .number()
              .nullable()
              .optional()
              .describe(
                `hybrid only: cosine similarity to the query when a meaning candidate (at least ${MEANING_ONLY_MIN_SIMILARITY}, or 0.25 for a keyword hit), else null`,
              ),
          }),
        ),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, limit, project, tags, file, kind, since, until, mode }) => {
      const r = await deps.reflections.search({ query, limit, project: project ?? null, tags, file, kind, since, until, ...(mode ? { mode } : {}) });
      const what = query === undefined ? 'the filters' : `"${query}"`;
      const how = `Mode: ${r.mode}${r.mode_reason ? ` (${r.mode_reason})` : ''}.`;
      const text =
        r.results.length === 0
          ? `No reflections match ${what}.\n${how}`
          : `${r.results.length} reflection(s) for ${what}:\n` +
            r.results
              .map((x, i) => {
                const excerpt = x.content.length > 200 ? `${x.content.slice(0, 199)}…` : x.content;
                const project = x.project === null ? '' : `, project ${x.project}`;
                return `${i + 1}. [score ${x.score}, ${x.created_at}${project}${x.tags.length ? `, ${x.tags.join(', ')}` : ''}] ${excerpt}`;
              })
              .join('\n') +
            `\n${how}`;
      return {
        structured: { query: r.query, mode: r.mode, mode_reason: r.mode_reason, fts_query: r.fts_query, count: r.results.length, results: r.results },
        text,
      };
    },
  );
}
