/**
 * The committed content of a WAL database as one rollback-journal image, built
 * from its main file and its -wal file without SQLite: what SQLite's own WAL
 * recovery reads (https://www.sqlite.org/fileformat2.html#walformat). Used to
 * read a database in a directory this process cannot write (database.ts),
 * where SQLite cannot build the -shm index it needs to read the log.
 *
 * A frame counts when its salts are the header's and its cumulative checksum
 * holds; pages are applied up to the last valid commit frame, so a transaction
 * that was being written is left out, as SQLite leaves it out.
 */
const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** SQLite's WAL checksum over `data` (a multiple of 8 bytes), continued from `s`. */
function checksum(data: Buffer, bigEndian: boolean, s: [number, number]): [number, number] {
  let [s0, s1] = s;
  for (let i = 0; i < data.length; i += 8) {
    const a = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const b = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + a + s1) >>> 0;
    s1 = (s1 + b + s0) >>> 0;
  }
  return [s0, s1];
}

/**
 * `main` with the committed frames of `wal` applied, and marked as a rollback-journal file
 * (header bytes 18 and 19 set to 1); `main` itself when `wal` holds no committed frame.
 */
export function applyWal(main: Buffer, wal: Buffer): { image: Buffer; frames: number } {
  if (wal.length < WAL_HEADER) return { image: main, frames: 0 };
  const magic = wal.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return { image: main, frames: 0 };
  const bigEndian = (magic & 1) === 1;
  const pageSize = wal.readUInt32BE(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return { image: main, frames: 0 };
  let sum = checksum(wal.subarray(0, 24), bigEndian, [0, 0]);
  if (sum[0] !== wal.readUInt32BE(24) || sum[1] !== wal.readUInt32BE(28)) return { image: main, frames: 0 };
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  const committed = new Map<number, Buffer>();
  let pending = new Map<number, Buffer>();
  let pages = 0;
  let frames = 0;
  for (let off = WAL_HEADER; off + FRAME_HEADER + pageSize <= wal.length; off += FRAME_HEADER + pageSize) {
    const page = wal.readUInt32BE(off);
    const commitSize = wal.readUInt32BE(off + 4);
    if (page === 0 || wal.readUInt32BE(off + 8) !== salt1 || wal.readUInt32BE(off + 12) !== salt2) break;
    const content = wal.subarray(off + FRAME_HEADER, off + FRAME_HEADER + pageSize);
    sum = checksum(content, bigEndian, checksum(wal.subarray(off, off + 8), bigEndian, sum));
    if (sum[0] !== wal.readUInt32BE(off + 16) || sum[1] !== wal.readUInt32BE(off + 20)) break;
    pending.set(page, content);
    if (commitSize > 0) {
      for (const [n, c] of pending) committed.set(n, c);
      pending = new Map();
      pages = commitSize;
      frames = off;
    }
  }
  if (pages === 0) return { image: main, frames: 0 };
  const image = Buffer.alloc(pages * pageSize);
  main.copy(image, 0, 0, Math.min(main.length, image.length));
  for (const [n, c] of committed) if (n <= pages) c.copy(image, (n - 1) * pageSize);
  image[18] = 1;
  image[19] = 1;
  return { image, frames: (frames - WAL_HEADER) / (FRAME_HEADER + pageSize) + 1 };
}
