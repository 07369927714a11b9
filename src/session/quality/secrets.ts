/**
 * Scans files for well-known secret shapes. Reports file:line and the kind of
 * secret, never the secret itself. Bounded: binary files, files over 1 MiB,
 * lockfiles and dependency/build directories are skipped, and at most
 * `maxFiles` files / `maxBytes` bytes are read (the caps are reported).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readBounded } from '../bounded-read.js';
import { unlimitedBudget, type Budget } from '../budget.js';
import { SKIP_DIRS } from '../project-context.js';

interface SecretPattern {
  kind: string;
  re: RegExp;
}

const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'private key', re: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { kind: 'GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { kind: 'Slack token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  {
    kind: 'hard-coded credential',
    re: /\b(?:api[_-]?key|apikey|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|password|passwd|secret)\b["']?\s*[:=]\s*["']([^"'\s]{16,})["']/i,
  },
];

/** Values that are obviously placeholders are not findings. */
const PLACEHOLDER = /example|placeholder|changeme|change_me|dummy|redacted|your[_-]|xxxx|\*\*\*\*|\$\{|<[^>]*>|process\.env/i;

const BINARY_EXT = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.ico',
  '.webp',
  '.bmp',
  '.pdf',
  '.zip',
  '.gz',
  '.tgz',
  '.bz2',
  '.xz',
  '.7z',
  '.woff',
  '.woff2',
  '.ttf',
  '.eot',
  '.otf',
  '.mp3',
  '.mp4',
  '.mov',
  '.webm',
  '.jar',
  '.class',
  '.so',
  '.dylib',
  '.dll',
  '.exe',
  '.wasm',
  '.sqlite',
  '.db',
  '.pyc',
  '.node',
]);
const LOCKFILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'poetry.lock',
  'uv.lock',
  'Cargo.lock',
  'Pipfile.lock',
  'bun.lock',
  'composer.lock',
  'Gemfile.lock',
]);

const MAX_SCAN_FILE_BYTES = 1024 * 1024;
const DEFAULT_SCAN_MAX_FILES = 5_000;
const DEFAULT_SCAN_MAX_BYTES = 50 * 1024 * 1024;

export interface SecretFinding {
  file: string;
  line: number;
  kind: string;
}

export interface SecretScan {
  candidates: number;
  scanned: number;
  bytes: number;
  skipped: { binary: number; large: number; lockfile: number; excludedDir: number; unreadable: number };
  /** Files not scanned because a cap was reached. */
  notScannedDueToCap: number;
  caps: { files: number; bytes: number };
  findings: SecretFinding[];
}

export function scanText(text: string, file: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 4000) continue; // minified or data lines
    for (const p of SECRET_PATTERNS) {
      const m = p.re.exec(line);
      if (!m) continue;
      const value = m[1] ?? m[0];
      if (PLACEHOLDER.test(value)) continue;
      out.push({ file, line: i + 1, kind: p.kind });
      break; // one finding per line
    }
  }
  return out;
}

export async function scanForSecrets(
  root: string,
  files: readonly string[],
  caps: { maxFiles?: number; maxBytes?: number } = {},
  budget: Budget = unlimitedBudget,
): Promise<SecretScan> {
  let device: number;
  try {
    device = fs.statSync(root).dev;
  } catch {
    device = -1;
  }
  const maxFiles = caps.maxFiles ?? DEFAULT_SCAN_MAX_FILES;
  const maxBytes = caps.maxBytes ?? DEFAULT_SCAN_MAX_BYTES;
  const result: SecretScan = {
    candidates: 0,
    scanned: 0,
    bytes: 0,
    skipped: { binary: 0, large: 0, lockfile: 0, excludedDir: 0, unreadable: 0 },
    notScannedDueToCap: 0,
    caps: { files: maxFiles, bytes: maxBytes },
    findings: [],
  };
  for (const rel of files) {
    const base = path.posix.basename(rel);
    if (
      rel
        .split('/')
        .slice(0, -1)
        .some((d) => SKIP_DIRS.has(d))
    ) {
      result.skipped.excludedDir++;
      continue;
    }
    if (LOCKFILES.has(base)) {
      result.skipped.lockfile++;
      continue;
    }
    if (BINARY_EXT.has(path.posix.extname(base).toLowerCase())) {
      result.skipped.binary++;
      continue;
    }
    result.candidates++;
    budget.check();
    if (result.scanned >= maxFiles || result.bytes >= maxBytes) {
      result.notScannedDueToCap++;
      continue;
    }
    // Bounded whatever st.size says; only regular files on the project's own file system.
    const read = await readBounded(path.join(root, rel), MAX_SCAN_FILE_BYTES, device);
    if (read === null) {
      result.skipped.unreadable++;
      continue;
    }
    if (read.truncated) {
      result.skipped.large++;
      continue;
    }
    const buf = read.buf;
    if (buf.subarray(0, 8192).includes(0)) {
      result.skipped.binary++;
      continue;
    }
    result.scanned++;
    result.bytes += buf.length;
    result.findings.push(...scanText(buf.toString('utf8'), rel));
  }
  return result;
}
