/**
 * The native line scanner alone (native/transcript_scan.cc), without reads, pairing or writes: every
 * transcript of the import bench tree held in memory, copied 256 KiB at a time into a buffer and
 * scanned there, as the import reads, on one thread. With `--addon` files (another build of the addon, e.g. of an earlier commit), each is
 * timed in turn in the same process, round after round, so that they share the machine's state.
 *
 *   npm run bench:import -- --keep                        # the tree, if not generated yet
 *   node --import tsx bench/scan-decode.ts                # the built addon
 *   node --import tsx bench/scan-decode.ts --rounds 8 --addon /tmp/before.node
 *
 * Prints each addon's best and median time over the rounds, and its output size (the same for
 * builds that decode alike).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type NativeScanner, loadNativeScanner, utf8CheckedTo } from '../src/capture/native-scan.js';
import { TOOL_INPUT_KEYS } from '../src/capture/tool-mapping.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 6) || 6;
const root = path.join(os.tmpdir(), 'session-buddy-import-bench', 'claude', 'projects');
if (!fs.existsSync(root)) throw new Error(`no bench tree at ${root}: run \`npm run bench:import\` first`);

const require = createRequire(import.meta.url);
const built = loadNativeScanner();
if (!built) throw new Error('the native scanner is not built: npm run build:native');
const scanners: Array<{ name: string; scanner: NativeScanner }> = [{ name: 'built', scanner: built }];
args.forEach((a, i) => {
  if (a === '--addon') scanners.push({ name: args[i + 1]!, scanner: require(path.resolve(args[i + 1]!)) as NativeScanner });
});

const files: Buffer[] = [];
const walk = (dir: string): void => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.jsonl')) files.push(fs.readFileSync(p));
  }
};
walk(root);
const bytes = files.reduce((s, f) => s + f.length, 0);

/** As the import reads: 256 KiB at a time into a buffer that grows for a longer line (transcript-scan.ts). */
const WINDOW = 256 * 1024;
const MAX_LINE = 64 * 1024 * 1024;
const meta = new Int32Array(3);
let scratch = Buffer.allocUnsafeSlow(WINDOW);
/** One pass over the tree; returns the output characters. */
function pass(scanner: NativeScanner): number {
  let out = 0;
  for (const file of files) {
    let pos = 0;
    while (pos < file.length) {
      const n = file.copy(scratch, 0, pos, Math.min(file.length, pos + scratch.length));
      const final = pos + n === file.length;
      const text = scanner.scan(scratch, 0, n, Number.POSITIVE_INFINITY, final, MAX_LINE, meta, TOOL_INPUT_KEYS, utf8CheckedTo(scratch, 0, n, final));
      if (meta[1] === 0 && !final) {
        // A line longer than the buffer: read again into one twice the size.
        scratch = Buffer.allocUnsafeSlow(scratch.length * 2);
        continue;
      }
      out += text?.length ?? 0;
      pos = final ? file.length : pos + meta[0]!;
    }
  }
  return out;
}

const times = scanners.map(() => [] as number[]);
const outputs = scanners.map(() => 0);
for (let r = 0; r < rounds; r++) {
  scanners.forEach(({ scanner }, i) => {
    const t0 = process.hrtime.bigint();
    outputs[i] = pass(scanner);
    times[i]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
  });
}
console.log(`${files.length} files, ${(bytes / 1024 / 1024).toFixed(0)} MiB, ${rounds} rounds, node ${process.version}`);
scanners.forEach(({ name }, i) => {
  const sorted = [...times[i]!].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(
    `${name}: best ${sorted[0]!.toFixed(0)} ms, median ${median.toFixed(0)} ms (${((bytes / 1024 / 1024 / median) * 1000).toFixed(0)} MiB/s), output ${outputs[i]} characters`,
  );
});
