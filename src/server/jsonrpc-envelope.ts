/**
 * What can be told of a JSON-RPC message from the first and last few KiB of its
 * line, when the line is too large to be read whole: the top-level members with
 * a plain value (string, number, true, false, null) that open or close the
 * object. That is where the SDKs put `jsonrpc`, `id` and `method`: the
 * TypeScript SDK writes `{"method":…,"params":{…},"jsonrpc":"2.0","id":7}`
 * (the id last), the Python SDK `{"jsonrpc":"2.0","id":7,"method":…,"params":{…}}`.
 */

export interface EnvelopeHint {
  /** The request id (a string or an integer), when one was found. */
  id?: string | number;
  method?: string;
  /** It has `result` or `error`: a response, which is never answered. */
  response: boolean;
}

/** Reads the envelope from the `head` and `tail` of one message's line (a member found in both: the tail's, as JSON.parse keeps the last). */
export function envelopeHint(head: string, tail: string): EnvelopeHint {
  const members = new Map([...leadingMembers(head), ...trailingMembers(tail)]);
  const id = members.get('id');
  const method = members.get('method');
  return {
    ...(typeof id === 'string' || Number.isSafeInteger(id) ? { id: id as string | number } : {}),
    ...(typeof method === 'string' ? { method } : {}),
    response: members.has('result') || members.has('error'),
  };
}

/** Marks a member whose value is an object or an array (not read). */
const NESTED = Symbol('nested');
const WS = /[ \t\r\n]*/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
const SCALAR = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const BARE_SCALAR = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

function skip(text: string, i: number): number {
  WS.lastIndex = i;
  WS.exec(text);
  return WS.lastIndex;
}

function skipBack(text: string, i: number): number {
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i--;
  return i;
}

function matchAt(re: RegExp, text: string, i: number): string | null {
  re.lastIndex = i;
  return re.exec(text)?.[0] ?? null;
}

/** The members from the opening `{` on, up to the first nested value, or where the text is cut. */
function leadingMembers(text: string): Map<string, unknown> {
  const members = new Map<string, unknown>();
  try {
    let i = skip(text, 0);
    if (text[i] !== '{') return members;
    i = skip(text, i + 1);
    for (;;) {
      const key = matchAt(STRING, text, i);
      if (key === null) return members;
      i = skip(text, i + key.length);
      if (text[i] !== ':') return members;
      i = skip(text, i + 1);
      if (text[i] === '{' || text[i] === '[') {
        members.set(JSON.parse(key) as string, NESTED);
        return members;
      }
      const value = matchAt(SCALAR, text, i);
      if (value === null) return members;
      i = skip(text, i + value.length);
      // A value not followed by `,` or `}` may be cut short (`"id":12` of `"id":123`).
      if (text[i] !== ',' && text[i] !== '}') return members;
      members.set(JSON.parse(key) as string, JSON.parse(value));
      if (text[i] === '}') return members;
      i = skip(text, i + 1);
    }
  } catch {
    return members; // an escape JSON does not know: not a JSON-RPC message
  }
}

/** The members back from the closing `}`, up to the last nested value, or where the text is cut. */
function trailingMembers(text: string): Map<string, unknown> {
  const members = new Map<string, unknown>();
  try {
    let i = skipBack(text, text.length - 1);
    if (text[i] !== '}') return members;
    i = skipBack(text, i - 1);
    for (;;) {
      const valueStart = text[i] === '"' ? stringStart(text, i) : bareScalarStart(text, i);
      if (valueStart < 0) return members;
      let j = skipBack(text, valueStart - 1);
      if (text[j] !== ':') return members;
      j = skipBack(text, j - 1);
      const keyStart = text[j] === '"' ? stringStart(text, j) : -1;
      if (keyStart < 0) return members;
      const key = JSON.parse(text.slice(keyStart, j + 1)) as string;
      const before = skipBack(text, keyStart - 1);
      if (text[before] !== ',' && text[before] !== '{') return members;
      if (!members.has(key)) members.set(key, JSON.parse(text.slice(valueStart, i + 1)));
      if (text[before] === '{') return members;
      i = skipBack(text, before - 1);
    }
  } catch {
    return members;
  }
}

/** Where the string whose closing quote is at `end` opens: the first quote before it not escaped by an odd run of backslashes; -1 if cut off. */
function stringStart(text: string, end: number): number {
  let k = end - 1;
  for (;;) {
    k = text.lastIndexOf('"', k);
    if (k < 0) return -1;
    let run = 0;
    while (k - 1 - run >= 0 && text[k - 1 - run] === '\\') run++;
    if (k - 1 - run < 0) return -1; // the backslashes reach the cut: cannot tell
    if (run % 2 === 0) return k;
    k -= 1 + run;
  }
}

/** Where the number or literal ending at `end` starts; -1 if there is none (a nested value ends there). */
function bareScalarStart(text: string, end: number): number {
  let k = end;
  while (k >= 0 && /[0-9a-z.+\-E]/.test(text[k]!)) k--;
  return k < end && BARE_SCALAR.test(text.slice(k + 1, end + 1)) ? k + 1 : -1;
}
