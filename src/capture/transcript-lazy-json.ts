/**
 * Decodes only the parts of a long transcript line that pairing reads
 * (eventsFromLine in transcript-pairing.ts), instead of JSON.parse of the
 * whole line: most bytes of a transcript are tool output (the result block's
 * `content` and the line's `toolUseResult`), which pairing never looks at.
 *
 * The line's structure is walked byte by byte outside strings; strings are
 * skipped with Buffer.indexOf to their closing quote (counting backslashes
 * before it), so a long string costs a native memchr, not a decode. Kept:
 *   top level: type, timestamp, sessionId, cwd, isSidechain, agentId,
 *   attributionSkill, isMeta, isCompactSummary, message;
 *   message: id, model, usage, content (a plain-text content: its first 4 KiB); content blocks: type, and for tool_use id, name,
 *   input; for tool_result tool_use_id, is_error, and content only when
 *   is_error is true (its text gives the error class); in a user line, a
 *   text block's first 4 KiB.
 * The result is a plain object with the same meaning for eventsFromLine as
 * JSON.parse of the whole line. A structural error throws `LazyJsonError`;
 * strings that are skipped are not checked for invalid escapes.
 */

export class LazyJsonError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACK = 0x5b;
const RBRACK = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

type Range = [number, number];

function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function ws(b: Buffer, i: number): number {
  while (isWs(b[i])) i++;
  return i;
}

/** b[i] is the opening quote; returns the index after the closing one. */
function skipString(b: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, from);
    if (q < 0) throw new LazyJsonError('unterminated string');
    let bs = 0;
    while (b[q - 1 - bs] === BACKSLASH) bs++;
    if (bs % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** Returns the index after the value that starts at i. */
function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === LBRACE || c === LBRACK) {
    let depth = 0;
    while (i < b.length) {
      const ch = b[i]!;
      if (ch === QUOTE) {
        i = skipString(b, i);
        continue;
      }
      if (ch === LBRACE || ch === LBRACK) depth++;
      else if (ch === RBRACE || ch === RBRACK) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new LazyJsonError('unbalanced brackets');
  }
  const start = i;
  while (i < b.length && b[i] !== COMMA && b[i] !== RBRACE && b[i] !== RBRACK && !isWs(b[i])) i++;
  if (i === start) throw new LazyJsonError('missing value');
  return i;
}

/** The members of the object at `r` (key -> value range); the last of duplicate keys wins, as in JSON.parse. */
function members(b: Buffer, r: Range): Map<string, Range> {
  return membersEnd(b, r).out;
}

function membersEnd(b: Buffer, r: Range): { out: Map<string, Range>; end: number } {
  const out = new Map<string, Range>();
  let i = ws(b, r[0]);
  if (b[i] !== LBRACE) throw new LazyJsonError('not an object');
  i = ws(b, i + 1);
  if (b[i] === RBRACE) return { out, end: i + 1 };
  for (;;) {
    if (b[i] !== QUOTE) throw new LazyJsonError('expected a key');
    const keyEnd = skipString(b, i);
    let escaped = false;
    for (let k = i + 1; k < keyEnd - 1; k++) if (b[k] === BACKSLASH) escaped = true;
    const key = escaped ? (JSON.parse(b.toString('utf8', i, keyEnd)) as string) : b.toString('utf8', i + 1, keyEnd - 1);
    i = ws(b, keyEnd);
    if (b[i] !== COLON) throw new LazyJsonError('expected a colon');
    const vs = ws(b, i + 1);
    const ve = skipValue(b, vs);
    out.set(key, [vs, ve]);
    i = ws(b, ve);
    if (b[i] === COMMA) {
      i = ws(b, i + 1);
      continue;
    }
    if (b[i] === RBRACE) return { out, end: i + 1 };
    throw new LazyJsonError('expected , or }');
  }
}

function elements(b: Buffer, r: Range): Range[] {
  const out: Range[] = [];
  let i = ws(b, r[0]);
  if (b[i] !== LBRACK) throw new LazyJsonError('not an array');
  i = ws(b, i + 1);
  if (b[i] === RBRACK) return out;
  for (;;) {
    const ve = skipValue(b, i);
    out.push([i, ve]);
    i = ws(b, ve);
    if (b[i] === COMMA) {
      i = ws(b, i + 1);
      continue;
    }
    if (b[i] === RBRACK) return out;
    throw new LazyJsonError('expected , or ]');
  }
}

function decode(b: Buffer, r: Range): unknown {
  return JSON.parse(b.toString('utf8', r[0], r[1]));
}

function pick(b: Buffer, m: Map<string, Range>, keys: readonly string[], into: Record<string, unknown>): void {
  for (const k of keys) {
    const r = m.get(k);
    if (r) into[k] = decode(b, r);
  }
}

/** Error text beyond this is not decoded: its class comes from the first 2,000 characters. */
const ERROR_TEXT_BYTES = 16 * 1024;

/** A tool_result's error content; a long string is decoded from its first bytes only. */
function errorContent(b: Buffer, r: Range): unknown {
  return stringHead(b, r, ERROR_TEXT_BYTES);
}

/** A JSON value; a string longer than `bytes` is decoded from its first bytes only ('' when that fails). */
function stringHead(b: Buffer, r: Range, bytes: number): unknown {
  if (r[1] - r[0] <= bytes) return decode(b, r);
  if (b[r[0]] !== QUOTE) return '';
  // Cut before any escape or multi-byte character that the cut would split, and close the string.
  let cut = r[0] + bytes;
  while (cut > r[0] + 1 && (b[cut]! & 0xc0) === 0x80) cut--;
  let bs = 0;
  while (b[cut - 1 - bs] === BACKSLASH) bs++;
  const e = b.lastIndexOf(BACKSLASH, cut - 1);
  if (bs % 2 === 1 || (e >= cut - 6 && e > r[0])) cut = e;
  try {
    return JSON.parse(`${b.toString('utf8', r[0], cut)}"`);
  } catch {
    return '';
  }
}

const TOP = ['type', 'timestamp', 'sessionId', 'cwd', 'isSidechain', 'agentId', 'attributionSkill', 'isMeta', 'isCompactSummary'] as const;

/** Of a long plain-text message, only the start is decoded: a typed command's tags come first. */
const TEXT_HEAD_BYTES = 4096;

/** The parts of a transcript line that pairing reads (see the file comment). */
export function reduceLine(b: Buffer): unknown {
  const { out: top, end } = membersEnd(b, [0, b.length]);
  if (ws(b, end) !== b.length) throw new LazyJsonError('trailing bytes');
  const out: Record<string, unknown> = {};
  pick(b, top, TOP, out);
  const msgRange = top.get('message');
  if (!msgRange) return out;
  if (b[msgRange[0]] !== LBRACE) {
    out.message = decode(b, msgRange);
    return out;
  }
  const msg = members(b, msgRange);
  const message: Record<string, unknown> = {};
  pick(b, msg, ['id', 'model', 'usage'], message);
  out.message = message;
  const contentRange = msg.get('content');
  if (!contentRange) return out;
  if (b[contentRange[0]] !== LBRACK) {
    // A plain text message: only its start is read (a typed slash command's tags, see commandNameInText).
    message.content = b[contentRange[0]] === QUOTE ? stringHead(b, contentRange, TEXT_HEAD_BYTES) : decode(b, contentRange);
    return out;
  }
  const content: unknown[] = [];
  for (const el of elements(b, contentRange)) {
    if (b[el[0]] !== LBRACE) {
      content.push(decode(b, el));
      continue;
    }
    const m = members(b, el);
    const block: Record<string, unknown> = {};
    pick(b, m, ['type'], block);
    if (block.type === 'tool_use') pick(b, m, ['id', 'name', 'input'], block);
    else if (block.type === 'tool_result') {
      pick(b, m, ['tool_use_id', 'is_error'], block);
      const content = m.get('content');
      if (block.is_error === true && content) block.content = errorContent(b, content);
    } else if (block.type === 'text' && out.type === 'user') {
      // A prompt given as text blocks: the first one's start holds a typed command's tags (promptOf).
      const text = m.get('text');
      if (text) block.text = stringHead(b, text, TEXT_HEAD_BYTES);
    }
    content.push(block);
  }
  message.content = content;
  return out;
}
