import { AppError } from '../errors.js';
import { formatBytes } from '../format-bytes.js';

/** Reads all of stdin as text, refusing more than `maxBytes` (bad input naming stdin, not a crash). */
export async function readStdin(stdin: NodeJS.ReadableStream, maxBytes = 64 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > maxBytes) throw AppError.invalid('stdin', `must be at most ${formatBytes(maxBytes)}`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
