/**
 * Splits a byte stream into lines without ever holding more than `maxBytes`
 * of one line: a line longer than that is skipped to its end and reported
 * as oversize (with its length and first bytes) instead of being
 * accumulated, so one giant line can neither exhaust memory nor exceed V8's
 * string limit (`readline` accumulates without bound). Lines end at `\n`;
 * a trailing `\r` is dropped; each line is decoded as UTF-8 on its own, so a
 * multi-byte character split across chunks stays whole.
 */

export type BoundedLine =
  | { kind: 'line'; text: string }
  | { kind: 'oversize'; bytes: number /** The first bytes of the line, decoded (at most 256). */; head: string };

const HEAD_BYTES = 256;

export async function* boundedLines(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, maxBytes: number): AsyncGenerator<BoundedLine> {
  let parts: Buffer[] = [];
  let held = 0; // bytes in `parts`
  let skipping = false; // inside an oversize line
  let skipped = 0; // bytes of the oversize line so far
  let head: Buffer = Buffer.alloc(0);

  const finish = (): BoundedLine => {
    if (skipping) {
      const out: BoundedLine = { kind: 'oversize', bytes: skipped, head: head.toString('utf8') };
      skipping = false;
      skipped = 0;
      head = Buffer.alloc(0);
      return out;
    }
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, held);
    parts = [];
    held = 0;
    if (buf.length > 0 && buf[buf.length - 1] === 13) buf = buf.subarray(0, buf.length - 1);
    return { kind: 'line', text: buf.toString('utf8') };
  };

  const take = (piece: Buffer) => {
    if (skipping) {
      skipped += piece.length;
      return;
    }
    if (held + piece.length > maxBytes) {
      const all = Buffer.concat([...parts, piece.subarray(0, Math.max(0, HEAD_BYTES - held))]);
      head = all.subarray(0, Math.min(HEAD_BYTES, all.length));
      skipping = true;
      skipped = held + piece.length;
      parts = [];
      held = 0;
      return;
    }
    if (piece.length > 0) {
      parts.push(piece);
      held += piece.length;
    }
  };

  for await (const chunk of source) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (;;) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        take(buf);
        break;
      }
      take(buf.subarray(0, nl));
      yield finish();
      buf = buf.subarray(nl + 1);
    }
  }
  if (skipping || held > 0) yield finish();
}
