/**
 * Small, forgiving readers for the config formats the quality checks look at:
 * JSON with comments (tsconfig), INI (setup.cfg, mypy.ini, tox.ini) and the
 * subset of TOML found in pyproject.toml. They extract facts; they are not
 * full parsers, and they return null/empty instead of throwing on bad input.
 */

/** JSON with `//` and `/* *\/` comments and trailing commas (tsconfig.json style). */
export function parseJsonc(text: string): unknown {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += next ?? '';
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
    } else if (c === '"') {
      inString = true;
      out += c;
      i++;
    } else if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++;
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  out = out.replace(/,(\s*[}\]])/g, '$1');
  try {
    return JSON.parse(out) as unknown;
  } catch {
    return null;
  }
}

/** INI sections → key/value maps (keys lower-cased). Section names are kept as written. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  sections.set('', current);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!.trim()) ?? new Map<string, string>();
      sections.set(header[1]!.trim(), current);
      continue;
    }
    const kv = /^([^=:]+)[=:](.*)$/.exec(line);
    if (kv) current.set(kv[1]!.trim().toLowerCase(), kv[2]!.trim());
  }
  return sections;
}

export type TomlValue = string | number | boolean | string[] | { raw: string };

export interface TomlLite {
  /** Every `[table]` / `[[array]]` header seen, e.g. `tool.mypy`. */
  tables: Set<string>;
  /** Values keyed by full dotted path, e.g. `project.name`, `tool.mypy.strict`. */
  values: Map<string, TomlValue>;
}

/** Extracts tables and simple values (strings, numbers, booleans, string arrays) from TOML. */
export function parseTomlLite(text: string): TomlLite {
  const tables = new Set<string>();
  const values = new Map<string, TomlValue>();
  const lines = text.split(/\r?\n/);
  let table = '';
  for (let i = 0; i < lines.length; i++) {
    const line = stripTomlComment(lines[i]!).trim();
    if (line === '') continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      table = header[1]!.replace(/["']/g, '').replace(/\s*\.\s*/g, '.');
      tables.add(table);
      continue;
    }
    const kv = /^("[^"]*"|'[^']*'|[A-Za-z0-9_.\- ]+?)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const key = kv[1]!.replace(/["']/g, '').replace(/\s*\.\s*/g, '.');
    let rawValue = kv[2]!;
    if (rawValue.startsWith('[') && !bracketsBalanced(rawValue)) {
      while (i + 1 < lines.length && !bracketsBalanced(rawValue)) {
        i++;
        rawValue += `\n${stripTomlComment(lines[i]!)}`;
      }
    }
    const full = table === '' ? key : `${table}.${key}`;
    values.set(full, parseTomlValue(rawValue.trim()));
  }
  return { tables, values };
}

function stripTomlComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

function bracketsBalanced(s: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
  }
  return depth <= 0;
}

function parseTomlValue(v: string): TomlValue {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^[+-]?\d+(\.\d+)?$/.test(v)) return Number(v);
  const str = /^"((?:[^"\\]|\\.)*)"$|^'([^']*)'$/.exec(v);
  if (str) return str[1] ?? str[2] ?? '';
  if (v.startsWith('[')) {
    const items: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(v)) !== null) items.push(m[1] ?? m[2] ?? '');
    return items;
  }
  return { raw: v };
}
