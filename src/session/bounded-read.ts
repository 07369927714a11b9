/**
 * File reads for project assessment that hold whatever the file claims.
 * `st.size` is not trusted (procfs files say 0 and stream without end), so
 * every read stops after `maxBytes + 1` bytes. Files are opened non-blocking
 * (a FIFO or `/proc/kmsg` cannot hang the read), must be regular files after
 * following symlinks, and, when `device` is given, must live on that device
 * (a symlink out of the project to another file system is not followed).
 * Pseudo file systems (`/proc`, `/sys`, `/dev`) are never project sources.
 */
import fs from 'node:fs';
import path from 'node:path';

const PSEUDO_FS_ROOTS: readonly string[] = ['/proc', '/sys', '/dev'];

/** True for `/proc`, `/sys`, `/dev` and anything under them. */
export function isPseudoFsPath(abs: string): boolean {
  const p = path.resolve(abs);
  return PSEUDO_FS_ROOTS.some((r) => p === r || p.startsWith(`${r}/`));
}

export interface BoundedRead {
  buf: Buffer;
  /** The file holds more than `maxBytes` (only `maxBytes` are in `buf`). */
  truncated: boolean;
}

const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (fs.constants.O_NOCTTY ?? 0);

function acceptable(st: fs.Stats, device: number | undefined): boolean {
  return st.isFile() && (device === undefined || st.dev === device);
}

/** Reads at most `maxBytes` of a regular file; null when it is not one, is elsewhere, or cannot be read. */
export function readBoundedSync(abs: string, maxBytes: number, device?: number): BoundedRead | null {
  if (isPseudoFsPath(abs)) return null;
  let fd: number;
  try {
    fd = fs.openSync(abs, OPEN_FLAGS);
  } catch {
    return null;
  }
  try {
    if (!acceptable(fs.fstatSync(fd), device)) return null;
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    while (n < buf.length) {
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return { buf: buf.subarray(0, Math.min(n, maxBytes)), truncated: n > maxBytes };
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Asynchronous readBoundedSync. */
export async function readBounded(abs: string, maxBytes: number, device?: number): Promise<BoundedRead | null> {
  if (isPseudoFsPath(abs)) return null;
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(abs, OPEN_FLAGS);
  } catch {
    return null;
  }
  try {
    if (!acceptable(await fh.stat(), device)) return null;
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return { buf: buf.subarray(0, Math.min(n, maxBytes)), truncated: n > maxBytes };
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}
