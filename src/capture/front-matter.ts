/**
 * YAML front matter of a Markdown file (SKILL.md, a slash command, a
 * subagent): the block between a first line `---` and the next line `---`
 * (or `...`), parsed by the `yaml` package. Never throws: an unclosed block,
 * a YAML error, duplicate keys or a block that is not a mapping come back as
 * `error`.
 */
import { parseDocument } from 'yaml';

export type FrontMatter = { ok: true; data: Record<string, unknown> | null; body: string } | { ok: false; error: string; body: string };

const OPEN = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/m;

export function parseFrontMatter(text: string): FrontMatter {
  const open = OPEN.exec(text);
  if (!open) return { ok: true, data: null, body: text.replace(/^\uFEFF/, '') };
  const rest = text.slice(open[0].length);
  const close = CLOSE.exec(rest);
  if (!close) return { ok: false, error: 'front matter opened with --- is never closed', body: '' };
  const yamlText = rest.slice(0, close.index);
  const body = rest.slice(close.index + close[0].length).replace(/^\r?\n/, '');
  try {
    const doc = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: false });
    const first = doc.errors[0];
    if (first) {
      // Line in the file: the opening --- is line 1.
      const line = yamlText.slice(0, first.pos[0]).split('\n').length + 1;
      return { ok: false, error: `${oneLine(first.message)} (line ${line})`, body };
    }
    const data: unknown = doc.toJS({ maxAliasCount: 100 });
    if (data === null || data === undefined) return { ok: true, data: {}, body };
    if (typeof data !== 'object' || Array.isArray(data)) return { ok: false, error: 'front matter is not a mapping of keys to values', body };
    return { ok: true, data: data as Record<string, unknown>, body };
  } catch (err) {
    return { ok: false, error: oneLine(err instanceof Error ? err.message : String(err)), body };
  }
}

function oneLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** The first paragraph of Markdown text (headings are not paragraphs), whitespace collapsed. */
export function firstParagraph(body: string): string {
  const para: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || /^#{1,6}(\s|$)/.test(t)) {
      if (para.length > 0) break;
      continue;
    }
    para.push(t);
  }
  return para.join(' ').replace(/\s+/g, ' ').trim();
}
