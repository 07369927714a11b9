/**
 * What any import of this design pays before it pairs, attributes or writes anything, for
 * bench/import.ts: every transcript byte read into one reused buffer (the import's read size), checked
 * as UTF-8, its lines scanned by the native scanner into line tuples and those parsed, in one thread.
 * Not a command: a floor to set the import and ccusage against (its CPU time, since the import spreads
 * this work over both cores). bench/import.ts bundles it beside the read side and runs it in a fresh
 * process:
 *
 *   node <bundle>/import-floor.js <projects directory>   # prints {"files","bytes","tuples","elapsedMs"} as JSON
 *
 * Exits 3 when the native scanner is not built (the JavaScript path has no such floor).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadNativeScanner, utf8CheckedTo } from '../src/capture/native-scan.js';
import { TOOL_INPUT_KEYS } from '../src/capture/tool-mapping.js';
import { CHUNK, DEFAULT_MAX_LINE_BYTES } from '../src/capture/transcript-scan.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: import-floor.js <projects directory>\n');
  process.exit(2);
}
const native = loadNativeScanner();
if (!native) {
  process.stderr.write('the native scanner is not built (npm install builds it)\n');
  process.exit(3);
}
const files: string[] = [];
const walk = (d: string): void => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && e.name.endsWith('.jsonl')) files.push(p);
  }
};
const started = process.hrtime.bigint();
walk(dir);
let buf = Buffer.allocUnsafeSlow(CHUNK);
const meta = new Int32Array(3);
let bytes = 0;
let tuples = 0;
for (const file of files) {
  const fd = fs.openSync(file, 'r');
  try {
    let pos = 0; // file offset of buf[0]
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        // One line longer than the buffer: a bigger one, as the import grows its own.
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const n = fs.readSync(fd, buf, len, buf.length - len, pos + len);
      len += n;
      bytes += n;
      const final = n === 0;
      const out = native.scan(buf, 0, len, len, final, DEFAULT_MAX_LINE_BYTES, meta, TOOL_INPUT_KEYS, utf8CheckedTo(buf, 0, len, final));
      if (out !== undefined) tuples += (JSON.parse(out) as unknown[]).length;
      const used = meta[0]!;
      buf.copyWithin(0, used, len);
      pos += used;
      len -= used;
      if (final) break;
    }
  } finally {
    fs.closeSync(fd);
  }
}
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(`${JSON.stringify({ files: files.length, bytes, tuples, elapsedMs: Math.round(elapsedMs * 10) / 10 })}\n`);
