import type { Command } from 'commander';
import { looksLikeAge, parseAge } from '../../age.js';
import type { App } from '../../app.js';
import { checkSearchInput, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, type ReflectionService, type SEARCH_MODES } from '../../memory/reflection-service.js';
import type { CliContext, Output } from '../context.js';
import { checkFlags, fieldFlags, intFlag } from '../flags.js';
import { openAppToRead } from '../read-only.js';
import { terminalWidth, wrap } from '../wrap.js';

interface SearchOpts {
  project?: string;
  tag?: string[];
  file?: string;
  kind?: string;
  since?: string;
  until?: string;
  limit: string;
  mode?: string;
  json?: boolean;
}

type SearchMode = (typeof SEARCH_MODES)[number];
type SearchResult = Awaited<ReturnType<ReflectionService['search']>>;

/** What `--json` prints: the search_reflections tool's answer. */
type SearchJson = Pick<SearchResult, 'query' | 'mode' | 'mode_reason' | 'fts_query' | 'results'> & { count: number };

/** Characters of a hit's text shown (whitespace runs as one space); `--json` has it whole. */
const EXCERPT_CHARS = 300;

/** The mode to ask the service for, and why the CLI chose keyword itself (null: the service says why, if at all). */
interface ModeChoice {
  mode: SearchMode | undefined;
  reason: string | null;
  /** "E of T reflections have their vector", when search by meaning may answer. */
  coverage: string | null;
}

/**
 * What a one-shot process does about search by meaning. The server loads the model in the background
 * and answers by keyword until it is ready; a command that searches once and exits would never see
 * it ready, so when meaning can answer it waits for the model (a second or two, said on stderr).
 * It does not wait when there is nothing to search by meaning: `--mode keyword`, no query (filters
 * only), embeddings turned off (the service says so), or, unless `--mode hybrid` was typed, no stored
 * reflection has its vector yet (this command only reads: it computes none).
 */
async function chooseMode(app: App, query: string | undefined, typed: SearchMode | undefined, stderr: Output): Promise<ModeChoice> {
  if (typed === 'keyword' || query === undefined) return { mode: typed, reason: null, coverage: null };
  const { total, embeddings } = await app.reflections.stats();
  if (embeddings.state === 'off') return { mode: typed, reason: null, coverage: null };
  if (typed === undefined && embeddings.embedded === 0) {
    return {
      mode: 'keyword',
      reason:
        'no reflection has its vector yet, so nothing can be found by meaning (a server, `start` or `mcp`, computes them once a search by meaning loads the model; this command computes none)',
      coverage: null,
    };
  }
  const coverage = `${embeddings.embedded} of ${total} reflection(s) have their vector${embeddings.embedded < total ? ', the others are found by keyword only' : ''}`;
  stderr.write(`loading the embedding model to search by meaning (--mode keyword skips this)...\n`);
  const t = performance.now();
  await app.reflections.embeddingsReady();
  const after = (await app.reflections.stats()).embeddings;
  stderr.write(after.state === 'ready' ? `loaded in ${((performance.now() - t) / 1000).toFixed(1)} s\n` : `not loaded: ${after.reason}\n`);
  return { mode: 'hybrid', reason: null, coverage };
}

/**
 * `--since` / `--until` as the service takes it: an age (`7d`: that long before `now`) as the ISO 8601 time
 * it names, anything else as typed (the service checks it is ISO 8601). A malformed age is refused here.
 */
function agoOrTime(value: string, flag: string, now: number): string {
  return looksLikeAge(value) ? new Date(now - parseAge(value, flag)).toISOString() : value;
}

/** A hit's text on one line, whitespace runs as one space, cut after a word within EXCERPT_CHARS. */
function excerpt(content: string): string {
  const flat = content.trim().replace(/\s+/gu, ' ');
  if (flat.length <= EXCERPT_CHARS) return flat;
  const space = flat.lastIndexOf(' ', EXCERPT_CHARS - 1);
  const cut = space > EXCERPT_CHARS / 2 ? space : EXCERPT_CHARS - 1;
  return `${flat.slice(0, cut)}… (${content.length} characters in all; --json prints the whole text)`;
}

/** "2026-07-01 14:03 UTC" of an ISO 8601 time stamp. */
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** How a hybrid hit was found: its rank in each list and its similarity to the query. */
function foundBy(hit: SearchJson['results'][number]): string | null {
  if (!hit.ranks) return null;
  const { keyword, meaning } = hit.ranks;
  const parts = [...(keyword === null ? [] : [`keyword (#${keyword})`]), ...(meaning === null ? [] : [`meaning (#${meaning}, similarity ${hit.similarity})`])];
  return `found by ${parts.join(' and ')}`;
}

/**
 * The hits as text: a header with how many, for what, and the mode that answered and why; then one
 * block per hit (score, date, kind, project, tags; how a hybrid hit was found; its text, trimmed).
 * `width` (a terminal's): every line wrapped to it; null: not wrapped.
 */
function renderSearch(r: SearchJson, coverage: string | null, width: number | null = null): string {
  const what = r.query === '' ? 'the filters' : `"${r.query}"`;
  const order = r.query === '' ? ', newest first' : ', best first';
  const why = r.mode === 'hybrid' ? `keyword and meaning fused${coverage ? `; ${coverage}` : ''}` : (r.mode_reason ?? 'full text only, as asked');
  const head = r.count === 0 ? `no reflections match ${what}` : `${r.count} reflection(s) for ${what}${order}`;
  const blocks = r.results.map((hit, i) => {
    const facts = [
      ...(r.query === '' ? [] : [`score ${hit.score}`]),
      when(hit.created_at),
      hit.kind,
      hit.project === null ? 'no project' : `project ${hit.project}`,
      ...(hit.tags.length > 0 ? [`tags ${hit.tags.join(', ')}`] : []),
    ];
    const found = foundBy(hit);
    return [`${i + 1}. ${facts.join(' | ')}`, ...(found ? [`   ${found}`] : []), `   ${excerpt(hit.content)}`];
  });
  const lines = [`${head}; mode ${r.mode}: ${why}`, ...blocks.flatMap((b) => ['', ...b])];
  return `${(width === null ? lines : lines.flatMap((l) => wrap(l, width, '   '))).join('\n')}\n`;
}

/** `search`: the reflections (notes, checkpoints, saved contexts) as search_reflections finds them. */
export function registerSearchCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('search')
    .description(
      'search the reflections (notes, checkpoints, saved contexts) as the search_reflections tool does: by words and meaning, or by filters only (newest first)',
    )
    .argument('[query...]', 'words to search for (optional when a filter is given)')
    .option('--project <name>', 'only reflections of this project')
    .option(
      '--tag <tags>',
      'only reflections carrying this tag (repeat it, or separate tags by commas: all are required)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--file <path>', 'only reflections naming this file path (or a path ending in "/" + it)')
    .option('--kind <kind>', 'only this kind: note, checkpoint or precompact')
    .option('--since <time>', 'only reflections created at or after this ISO 8601 date or time, or this long ago (7d, 2w, 48h)')
    .option('--until <time>', 'only reflections created before this ISO 8601 time (a date: through the end of that UTC day), or this long ago (7d, 2w, 48h)')
    .option('--limit <n>', `at most this many hits (1-${MAX_SEARCH_LIMIT})`, String(DEFAULT_SEARCH_LIMIT))
    .option(
      '--mode <mode>',
      'hybrid: keyword and meaning fused (waits a second or two for the embedding model); keyword: full text only (default: hybrid when some reflection has its vector, else keyword)',
    )
    .option('--json', 'print the answer as JSON (the search_reflections answer)')
    .action(async (words: string[], opts: SearchOpts, cmd: Command) => {
      const query = words.length > 0 ? words.join(' ') : undefined;
      const now = Date.now();
      const tags = opts.tag?.flatMap((t) => t.split(',').map((s) => s.trim()));
      // The service names a bad tag by its index (tags.2): each is a --tag.
      fieldFlags(cmd, Object.fromEntries((tags ?? []).map((_, i) => [`tags.${i}`, '--tag'])));
      let since: string | undefined;
      let until: string | undefined;
      const input = () => ({
        ...(query !== undefined ? { query } : {}),
        ...(opts.project !== undefined ? { project: opts.project } : {}),
        ...(tags !== undefined ? { tags } : {}),
        ...(opts.file !== undefined ? { file: opts.file } : {}),
        ...(opts.kind !== undefined ? { kind: opts.kind } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(opts.mode !== undefined ? { mode: opts.mode as SearchMode } : {}),
      });
      // A refused age (--since 0d) is named by its own check; for the service's check it stands as a
      // filter given that bounds nothing (the earliest or the latest time), so neither the query nor the
      // order of since and until is also reported (nothing is searched).
      const stand = (given: string | undefined, value: string | undefined, bound: string) => (given !== undefined && value === undefined ? bound : value);
      // Every bad flag at once, by the service's own rules, before the model is loaded.
      const { limit } = checkFlags({
        since: () => (since = opts.since === undefined ? undefined : agoOrTime(opts.since, '--since', now)),
        until: () => (until = opts.until === undefined ? undefined : agoOrTime(opts.until, '--until', now)),
        limit: () => intFlag('--limit', opts.limit, 1, MAX_SEARCH_LIMIT),
        input: () =>
          checkSearchInput({
            ...input(),
            ...(opts.since !== undefined ? { since: stand(opts.since, since, '1970-01-01T00:00:00.000Z') } : {}),
            ...(opts.until !== undefined ? { until: stand(opts.until, until, '9999-12-31T23:59:59.999Z') } : {}),
          }),
      });
      const app = await openAppToRead(ctx.config(cmd), ctx);
      try {
        const choice = await chooseMode(app, query, opts.mode as SearchMode | undefined, ctx.stderr);
        const r = await app.reflections.search({ ...input(), limit, ...(choice.mode !== undefined ? { mode: choice.mode } : {}) });
        const json: SearchJson = {
          query: r.query,
          mode: r.mode,
          mode_reason: r.mode_reason ?? choice.reason,
          fts_query: r.fts_query,
          count: r.results.length,
          results: r.results,
        };
        const width = terminalWidth(ctx.stdout);
        ctx.stdout.write(opts.json ? `${JSON.stringify(json, null, 2)}\n` : renderSearch(json, choice.coverage, width));
      } finally {
        await app.close();
      }
    });
  fieldFlags(command, {
    project: '--project',
    tags: '--tag',
    file: '--file',
    kind: '--kind',
    since: '--since',
    until: '--until',
    limit: '--limit',
    mode: '--mode',
  });
}
