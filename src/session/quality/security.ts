/**
 * Security basics dimension (weight 10). Checks (sum 100):
 * - secrets (70): 70 − 35 × files with a possible secret, floor 0 (see secrets.ts;
 *   scans git-tracked files, or the files on disk outside a repository);
 * - no committed .env files (15): tracked `.env` / `.env.*` other than
 *   .example/.sample/.template/.dist; not measured outside a repository;
 * - security policy (15): SECURITY.md in the root, .github/ or docs/.
 * With no file to scan (no tracked file in a repository, no file on disk outside one) the
 * dimension is not measured; when files exist but none could be scanned (all lockfiles,
 * binary, unreadable, ...), the secrets check alone is not measured.
 */
import path from 'node:path';
import type { ProjectContext } from '../project-context.js';
import { buildDimension, plural } from './dimension.js';
import { scanForSecrets, type SecretScan } from './secrets.js';
import type { Check, DimensionResult, Recommendation } from './types.js';

export const SECURITY_WEIGHT = 10;
const ENV_FILE = /^\.env(\..+)?$/;
const ENV_TEMPLATE = /\.(example|sample|template|dist|defaults)$/;

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function skippedParts(scan: SecretScan): string[] {
  const s = scan.skipped;
  return [
    s.binary && `${s.binary} binary`,
    s.large && `${s.large} over 1 MiB`,
    s.lockfile && `${plural(s.lockfile, 'lockfile')}`,
    s.excludedDir && `${s.excludedDir} in dependency/build dirs`,
    s.unreadable && `${s.unreadable} unreadable`,
  ].filter((x): x is string => typeof x === 'string');
}

function describeScan(scan: SecretScan, source: string): string {
  const skipped = skippedParts(scan);
  const cap = scan.notScannedDueToCap ? `; ${scan.notScannedDueToCap} not scanned (cap ${scan.caps.files} files / ${kb(scan.caps.bytes)})` : '';
  const files = new Set(scan.findings.map((f) => f.file));
  const where = scan.findings
    .slice(0, 10)
    .map((f) => `${f.file}:${f.line} (${f.kind})`)
    .join(', ');
  return (
    `scanned ${plural(scan.scanned, `${source} file`)} (${kb(scan.bytes)})` +
    (skipped.length ? `, skipped ${skipped.join(', ')}` : '') +
    cap +
    '; ' +
    (scan.findings.length === 0
      ? 'no possible secrets found'
      : `${plural(scan.findings.length, 'possible secret')} in ${plural(files.size, 'file')}: ${where}${scan.findings.length > 10 ? ', …' : ''}`)
  );
}

/** Why a scan read no file: every candidate skipped or over the caps. */
function nothingScanned(scan: SecretScan): string {
  const skipped = skippedParts(scan);
  return [
    skipped.length ? `skipped ${skipped.join(', ')}` : null,
    scan.notScannedDueToCap ? `${scan.notScannedDueToCap} over the cap of ${scan.caps.files} files / ${kb(scan.caps.bytes)}` : null,
  ]
    .filter((x) => x !== null)
    .join('; ');
}

export async function assessSecurity(ctx: ProjectContext, caps: { maxFiles?: number; maxBytes?: number } = {}): Promise<DimensionResult> {
  const tracked = ctx.listing.tracked;
  const source = tracked ? 'tracked' : 'on-disk';
  const files = tracked ?? ctx.listing.files;
  if (files.length === 0) {
    return buildDimension('security', 'Security basics', SECURITY_WEIGHT, [
      { id: 'security.files', label: 'Security basics', maxPoints: 100, points: null, evidence: `not measured: no files to scan (0 ${source} files)` },
    ]);
  }
  const scan = await scanForSecrets(ctx.root, files, caps, ctx.budget);
  const filesWithFindings = new Set(scan.findings.map((f) => f.file));
  const checks: Check[] = [
    scan.scanned === 0
      ? {
          id: 'security.secrets',
          label: 'Secrets scan',
          maxPoints: 70,
          points: null,
          evidence: `not measured: no file to scan (${nothingScanned(scan)})`,
        }
      : {
          id: 'security.secrets',
          label: 'Secrets scan',
          maxPoints: 70,
          points: Math.max(0, 70 - 35 * filesWithFindings.size),
          evidence: describeScan(scan, source),
        },
  ];
  const extra: Recommendation[] = [];
  if (scan.findings.length > 0) {
    extra.push({
      priority: 'high',
      dimension: 'security',
      gain: null,
      text: `Remove and rotate possible secrets in ${[...filesWithFindings].slice(0, 5).join(', ')} (see evidence for lines)`,
    });
  }
  if (tracked) {
    const envFiles = tracked.filter((f) => {
      const b = path.posix.basename(f);
      return ENV_FILE.test(b) && !ENV_TEMPLATE.test(b);
    });
    checks.push({
      id: 'security.env',
      label: 'Committed .env files',
      maxPoints: 15,
      points: envFiles.length === 0 ? 15 : 0,
      evidence: envFiles.length === 0 ? 'none tracked' : `tracked: ${envFiles.slice(0, 5).join(', ')}`,
    });
    // High priority whatever the points: the values are in the history, readable by anyone with the repository.
    if (envFiles.length > 0) {
      extra.push({
        priority: 'high',
        dimension: 'security',
        gain: null,
        text: `Stop tracking ${envFiles.slice(0, 3).join(', ')} (git rm --cached) and rotate its values`,
      });
    }
  } else {
    checks.push({
      id: 'security.env',
      label: 'Committed .env files',
      maxPoints: 15,
      points: null,
      evidence: 'not measured: not a git repository',
    });
  }
  const policy = ['SECURITY.md', '.github/SECURITY.md', 'docs/SECURITY.md'].find((f) => ctx.exists(f));
  checks.push({
    id: 'security.policy',
    label: 'Security policy',
    maxPoints: 15,
    points: policy ? 15 : 0,
    evidence: policy ? `${policy} present` : 'no SECURITY.md',
    advice: 'Add a SECURITY.md describing how to report vulnerabilities',
  });
  return buildDimension('security', 'Security basics', SECURITY_WEIGHT, checks, [], extra);
}
