/**
 * The file paths a reflection is indexed by: those given with it, plus those
 * its text mentions. A mention is a token with a slash and a file extension
 * (`src/store/migrator.ts`, `./bin/run.js`, `/etc/hosts.conf`) or a bare file
 * name with a common source or document extension (`README.md`, `app.ts`).
 * Paths are kept as written (trimmed, NFC); at most MAX_FILES per reflection.
 */
const MAX_FILES = 100;
const MAX_FILE_CHARS = 500;
const BARE_EXTENSIONS = new Set(
  'ts tsx js jsx mjs cjs json md mdx py rb go rs java kt swift c h cc cpp hpp cs php sh bash zsh sql yml yaml toml ini cfg conf lock txt html css scss vue svelte xml gradle env'.split(
    ' ',
  ),
);
const TOKEN = /[^\s"'`()<>[\]{},;]+/gu;

function looksLikePath(token: string): boolean {
  const m = /\.([A-Za-z][A-Za-z0-9]{0,7})$/.exec(token);
  if (!m) return false;
  if (token.includes('/')) return /^[\p{L}\p{N}._~@/+-]+$/u.test(token) && !token.includes('://');
  return BARE_EXTENSIONS.has(m[1]!.toLowerCase()) && /^[\p{L}\p{N}_@+-][\p{L}\p{N}._@+-]*$/u.test(token);
}

/** Paths mentioned in free text, in order of first mention (trailing sentence punctuation dropped). */
export function mentionedFiles(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.match(TOKEN) ?? []) {
    const token = raw.replace(/[.:!?]+$/u, '');
    if (looksLikePath(token) && !out.includes(token)) out.push(token);
  }
  return out;
}

/** Distinct paths (trimmed, NFC; empty, over-long or control-character paths dropped), at most MAX_FILES. */
export function normaliseFiles(files: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (typeof f !== 'string') continue;
    const p = f.normalize('NFC').trim();
    if (p === '' || p.length > MAX_FILE_CHARS || /\p{Cc}/u.test(p) || out.includes(p)) continue;
    out.push(p);
    if (out.length === MAX_FILES) break;
  }
  return out;
}
