/**
 * Documentation dimension (weight 15). Checks (sum 100):
 * - README (20): present with ≥ 10 non-empty lines; a shorter README earns 10;
 * - README sections (40): 10 each for headings about installation, usage,
 *   development/contributing/testing, and license;
 * - docs ratio (25): 25 × min(1, ratio / 0.1), ratio = documentation files
 *   (.md/.mdx/.rst/.adoc anywhere in the project) / non-test source files;
 *   documentation with no source earns 25; with neither it is not measured;
 * - license (15): a LICENSE/LICENCE/COPYING file; a license field in the manifest only earns 10.
 */
import { countFiles, isDocFile } from '../file-kinds.js';
import type { ProjectContext } from '../project-context.js';
import { buildDimension, plural, round1 } from './dimension.js';
import type { Check, DimensionResult } from './types.js';

export const DOCS_WEIGHT = 15;
const DOCS_RATIO_TARGET = 0.1;

const README_SECTIONS: readonly { name: string; re: RegExp }[] = [
  { name: 'Installation', re: /install|setup|set up|getting started|quick ?start|requirements/i },
  { name: 'Usage', re: /usage|examples?|how to|\bapi\b|\bcli\b|commands?|configuration/i },
  { name: 'Development', re: /develop|contribut|testing|\btests?\b|building|\bbuild\b/i },
  { name: 'License', re: /licen[cs]e/i },
];

function findReadme(ctx: ProjectContext): string | null {
  const names = ['README.md', 'README.markdown', 'README.rst', 'README.txt', 'README', 'readme.md', 'Readme.md'];
  return names.find((n) => ctx.readText(n) !== null) ?? null;
}

/** Markdown `#` headings and reStructuredText underlined titles. */
function readmeHeadings(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const md = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (md) out.push(md[1]!);
    else if (line.trim() !== '' && /^([=\-~^"'`#*+])\1{2,}\s*$/.test(lines[i + 1] ?? '')) out.push(line.trim());
  }
  return out;
}

export function assessDocs(ctx: ProjectContext): DimensionResult {
  const checks: Check[] = [];
  const readme = findReadme(ctx);
  const text = readme ? (ctx.readText(readme) ?? '') : '';
  const nonEmpty = text.split(/\r?\n/).filter((l) => l.trim() !== '').length;
  const headings = readmeHeadings(text);
  checks.push({
    id: 'docs.readme',
    label: 'README',
    maxPoints: 20,
    points: readme === null ? 0 : nonEmpty >= 10 ? 20 : 10,
    evidence: readme === null ? 'missing' : `${readme}: ${plural(nonEmpty, 'non-empty line')}, ${plural(headings.length, 'heading')}`,
    advice: readme === null ? 'Add a README.md' : 'Expand the README (at least a short description, install and usage)',
  });
  const found = README_SECTIONS.filter((s) => headings.some((h) => s.re.test(h))).map((s) => s.name);
  const missing = README_SECTIONS.map((s) => s.name).filter((n) => !found.includes(n));
  checks.push({
    id: 'docs.sections',
    label: 'README sections',
    maxPoints: 40,
    points: 10 * found.length,
    evidence:
      readme === null
        ? 'no README'
        : `found ${found.length}/${README_SECTIONS.length}${found.length ? ` (${found.join(', ')})` : ''}` +
          (missing.length ? `; missing ${missing.join(', ')}` : ''),
    advice: `Add README sections: ${missing.join(', ')}`,
  });
  const counts = countFiles(ctx.listing.files);
  const docFiles = ctx.listing.files.filter(isDocFile).length;
  const ratio = counts.nonTestSource === 0 ? null : docFiles / counts.nonTestSource;
  const ratioPoints = docFiles === 0 ? 0 : ratio === null ? 25 : 25 * Math.min(1, ratio / DOCS_RATIO_TARGET);
  if (docFiles === 0 && counts.nonTestSource === 0) {
    checks.push({
      id: 'docs.ratio',
      label: 'Docs ratio',
      maxPoints: 25,
      points: null,
      evidence: 'not measured: no documentation and no non-test source files to compare',
    });
  } else {
    checks.push({
      id: 'docs.ratio',
      label: 'Docs ratio',
      maxPoints: 25,
      points: round1(ratioPoints),
      evidence:
        `${plural(docFiles, 'documentation file')} for ${plural(counts.nonTestSource, 'non-test source file')}` +
        (ratio === null ? '' : ` (ratio ${ratio.toFixed(2)}; full points at ${DOCS_RATIO_TARGET.toFixed(2)})`),
      advice: 'Document the design and operations in docs/ (architecture, configuration, troubleshooting)',
    });
  }
  const licenseFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'LICENCE', 'LICENCE.md', 'COPYING', 'COPYING.md'].find((f) => ctx.readText(f, 1024) !== null);
  const pkgLicense = ctx.packageJson()?.license;
  const pyLicense = ctx.pyproject()?.values.get('project.license');
  const field = typeof pkgLicense === 'string' ? `package.json license "${pkgLicense}"` : pyLicense !== undefined ? 'pyproject.toml project.license' : null;
  checks.push({
    id: 'docs.license',
    label: 'License',
    maxPoints: 15,
    points: licenseFile ? 15 : field ? 10 : 0,
    evidence: licenseFile ? `${licenseFile} present` : field ? `${field} but no LICENSE file` : 'no license file or field',
    advice: licenseFile ? undefined : 'Add a LICENSE file',
  });
  return buildDimension('docs', 'Documentation', DOCS_WEIGHT, checks);
}
