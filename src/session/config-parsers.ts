/**
 * Readers for the config formats the quality checks look at: JSON with
 * comments (tsconfig; jsonc-parser), TOML (pyproject.toml; smol-toml) and INI
 * (setup.cfg, mypy.ini, tox.ini; a few lines, no library needed). They return
 * null/empty instead of throwing on bad input.
 */
import { parse as parseJsoncText, type ParseError } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';

/** JSON with `//` and `/* *\/` comments and trailing commas (tsconfig.json style); null when it does not parse. */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const value = parseJsoncText(text, errors, { allowTrailingComma: true, disallowComments: false });
  return errors.length > 0 ? null : (value as unknown);
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

type TomlValue = string | number | boolean | string[] | { raw: string };

export interface TomlLite {
  /** Every table and array-of-tables path seen, e.g. `tool.mypy`. */
  tables: Set<string>;
  /** Scalar and string-array values keyed by full dotted path, e.g. `project.name`, `tool.mypy.strict`. */
  values: Map<string, TomlValue>;
}

/**
 * Tables and values of a TOML document (smol-toml, TOML 1.0), flattened to
 * dotted paths. Other values (dates, mixed arrays) are kept as `{ raw }` JSON
 * text. A document that is not valid TOML gives no tables and no values.
 */
export function parseTomlLite(text: string): TomlLite {
  const tables = new Set<string>();
  const values = new Map<string, TomlValue>();
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch {
    return { tables, values };
  }
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(obj)) {
      const full = prefix === '' ? key : `${prefix}.${key}`;
      if (isTable(value)) {
        tables.add(full);
        walk(value, full);
      } else if (Array.isArray(value) && value.length > 0 && value.every(isTable)) {
        tables.add(full);
        for (const item of value) walk(item, full);
      } else {
        values.set(full, tomlValue(value));
      }
    }
  };
  walk(doc, '');
  return { tables, values };
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function tomlValue(v: unknown): TomlValue {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return { raw: v instanceof Date ? v.toISOString() : JSON.stringify(v) };
}
