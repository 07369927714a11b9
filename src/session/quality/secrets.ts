/**
 * Scans files for well-known secret shapes. Reports file:line and the kind of
 * secret, never the secret itself. Two kinds of rule:
 * - shapes that are secrets anywhere: AWS access key ids, private key blocks, GitHub
 *   (ghp_…, github_pat_…), Slack (xox[abprs]-…) and Stripe live (sk_live_/rk_live_) keys,
 *   and a 40-character value assigned to a `secret_access_key`;
 * - hard-coded credentials: a name containing password, passwd, secret, token, api key,
 *   private key or access key as a word (DB_PASSWORD, api-key, spring.datasource.password,
 *   clientSecret) assigned with `=`, `:`, `:=` or `=>` a value that looks like a secret (see
 *   looksLikeSecret). Values may be quoted, or bare outside source code (.env, YAML,
 *   properties, INI, shell): in source code a bare right-hand side is an expression. A typed
 *   declaration counts too (`password: str = "…"`, `const apiKey: string = "…"`);
 * - credentials in a URL: `scheme://user:password@host` whose password looks like a secret.
 * Bounded: binary files, files over 1 MiB,
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

/** Shapes that are secrets wherever they appear (vendor prefixes, key blocks). */
const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'private key', re: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { kind: 'GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { kind: 'Slack token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { kind: 'Stripe live key', re: /\b[rs]k_live_[A-Za-z0-9]{16,}\b/ },
  {
    kind: 'AWS secret access key',
    re: /secret_?access_?key["']?\s*(?::=|=>|=|:)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/i,
  },
];

/**
 * `name = value`, `name: value`, `"name": "value"`, `name := value`, `'name' => 'value'`: the name
 * (optionally quoted, dotted or dashed) and the value, quoted (groups 2-4) or bare (group 5).
 */
const ASSIGNMENT = /(?<![A-Za-z0-9_.-])["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?::=|=>|=|:)\s*(?:"([^"]*)"|'([^']*)'|`([^`]*)`|([^\s"'`,;]+))/g;

/**
 * A typed declaration with a quoted value: `password: str = "…"` (Python), `const apiKey: string = "…"`
 * (TypeScript): the name (group 1) and the value (groups 2-3).
 */
const TYPED_ASSIGNMENT = /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_]*)\s*:\s*[A-Za-z_][A-Za-z0-9_.[\], |]*?\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** A URL with a password, with or without a user (`postgres://app:…@db/app`, `redis://:…@cache`): the password (group 1). */
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"`]*:([^\s@/'"`]+)@[^\s/'"`]+/i;

/** Words of a credential name: DB_PASSWORD, api-key, spring.datasource.password, clientSecret. */
const CREDENTIAL_WORDS = new Set(['password', 'passwd', 'secret', 'token', 'apikey']);
const CREDENTIAL_PAIRS = new Set(['api key', 'private key', 'access key']);

function isCredentialName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_.-]+/);
  return words.some((w, i) => CREDENTIAL_WORDS.has(w) || CREDENTIAL_PAIRS.has(`${w} ${words[i + 1] ?? ''}`));
}

/** Values that are obviously placeholders or references to a secret kept elsewhere are not findings. */
const PLACEHOLDER = /example|placeholder|changeme|change_me|dummy|redacted|your[_-]|xxx|\*\*\*|\$\{|\{\{|%\(|<[^>]*>|process\.env|os\.environ|getenv/i;

/**
 * Whether an assigned value looks like a real secret: at least 8 characters, no whitespace, not a
 * placeholder, an environment variable name, a path, a URL without credentials or a number, and
 * mixing at least two of lower case, upper case and digits (so words such as "access_token" are not).
 */
function looksLikeSecret(value: string): boolean {
  if (value.length < 8 || /\s/.test(value) || PLACEHOLDER.test(value)) return false;
  if (/^[$%&*!]/.test(value)) return false; // shell/YAML references, anchors, aliases, tags
  if (/^[A-Z][A-Z0-9_]*$/.test(value)) return false; // an environment variable's name
  if (/^(?:\.{0,2}\/|~\/)/.test(value)) return false; // a path
  if (/^[a-z][a-z0-9+.-]*:\/\/[^@]*$/i.test(value)) return false; // a URL without user:password@
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(value)).length;
  return classes >= 2 && !/^[0-9.]+$/.test(value);
}

/** In source code a bare right-hand side is an expression (`request.form["password"]`, `getToken()`), not a literal. */
const CODE_EXT = new Set([
  '.py',
  '.js',
  '.mjs',
  '.cjs',
  '.jsx',
  '.ts',
  '.mts',
  '.cts',
  '.tsx',
  '.vue',
  '.svelte',
  '.rb',
  '.go',
  '.java',
  '.kt',
  '.kts',
  '.scala',
  '.groovy',
  '.php',
  '.cs',
  '.rs',
  '.swift',
  '.c',
  '.h',
  '.cc',
  '.cpp',
  '.hpp',
  '.m',
  '.dart',
  '.lua',
]);

function hardCodedCredential(line: string, code: boolean): boolean {
  for (const m of line.matchAll(ASSIGNMENT)) {
    if (!isCredentialName(m[1]!)) continue;
    const quoted = m[2] ?? m[3] ?? m[4];
    const value = quoted ?? (code ? undefined : m[5]);
    if (value !== undefined && looksLikeSecret(value)) return true;
  }
  for (const m of line.matchAll(TYPED_ASSIGNMENT)) {
    if (isCredentialName(m[1]!) && looksLikeSecret((m[2] ?? m[3])!)) return true;
  }
  return false;
}

/** A URL that carries a password which looks like a real one (not `${DB_PASSWORD}`, `***`, `secret`). */
function urlCredential(line: string): boolean {
  const password = URL_CREDENTIALS.exec(line)?.[1];
  return password !== undefined && looksLikeSecret(decodeURIComponentSafe(password));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

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
  const code = CODE_EXT.has(path.posix.extname(file).toLowerCase());
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 4000) continue; // minified or data lines
    const found = SECRET_PATTERNS.find((p) => {
      const m = p.re.exec(line);
      return m !== null && !PLACEHOLDER.test(m[1] ?? m[0]);
    });
    const kind = found?.kind ?? (hardCodedCredential(line, code) ? 'hard-coded credential' : urlCredential(line) ? 'credentials in a URL' : null);
    if (kind !== null) out.push({ file, line: i + 1, kind }); // one finding per line
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
