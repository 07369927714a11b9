/**
 * Dependencies dimension (weight 15). Checks (scores are normalised over the
 * measured checks, so the maxima need not sum to 100):
 * - manifest: with no package.json / pyproject.toml / requirements.txt / Pipfile /
 *   setup.py the dimension is a single 0-point check;
 * - lockfile (40): 40 × (ecosystems with a lockfile / ecosystems with a manifest);
 *   a requirements.txt pinning every line with `==` counts as a Python lock;
 * - lockfile in sync (20): every package.json dependency is recorded in
 *   package-lock.json's root entry with the same range (npm only; otherwise, and when
 *   package.json declares no dependency, not measured);
 * - bounded versions (10): 10 × (1 − unbounded / declared); unbounded = `*`, `latest`,
 *   empty, or a Python requirement without any version specifier; not measured when
 *   no dependency is declared;
 * - audit (30 per ecosystem): 30 − 15·critical − 8·high − 3·moderate − 1·low (pip-audit:
 *   −6 per vulnerability), floor 0; not measured when the audit tool cannot answer.
 */
import type { ProjectContext } from '../project-context.js';
import { asRecord } from '../project-detect.js';
import type { AuditEcosystem, AuditOutcome, AuditRunner } from './audit.js';
import { buildDimension, plural, round1 } from './dimension.js';
import type { Check, DimensionResult } from './types.js';

export const DEPENDENCIES_WEIGHT = 15;

const NPM_LOCKS = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];
const PY_LOCKS = ['uv.lock', 'poetry.lock', 'Pipfile.lock', 'pdm.lock'];
/** What to commit for an ecosystem without a lockfile: the lockfiles the check above recognises for it. */
const LOCK_ADVICE: Readonly<Record<AuditEcosystem, string>> = {
  npm: 'a lockfile for package.json (package-lock.json, pnpm-lock.yaml, yarn.lock or bun.lock)',
  python: 'a Python lockfile (uv.lock, poetry.lock, Pipfile.lock or pdm.lock, or a requirements.txt pinning every line with ==)',
};

interface DeclaredDependency {
  name: string;
  spec: string;
  dev: boolean;
  source: string;
}

function npmDependencies(pkg: Record<string, unknown> | null): DeclaredDependency[] {
  if (!pkg) return [];
  const out: DeclaredDependency[] = [];
  for (const [field, dev] of [
    ['dependencies', false],
    ['devDependencies', true],
    ['optionalDependencies', false],
  ] as const) {
    for (const [name, spec] of Object.entries(asRecord(pkg[field]) ?? {})) {
      out.push({ name, spec: typeof spec === 'string' ? spec : '', dev, source: `package.json ${field}` });
    }
  }
  return out;
}

const PY_NAME = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$/;

function pythonDependencies(ctx: ProjectContext): DeclaredDependency[] {
  const out: DeclaredDependency[] = [];
  const py = ctx.pyproject();
  const fromReq = (req: string, dev: boolean, source: string) => {
    const m = PY_NAME.exec(req.split(';')[0]!);
    if (m) out.push({ name: m[1]!.toLowerCase(), spec: m[3]!.trim(), dev, source });
  };
  const deps = py?.values.get('project.dependencies');
  if (Array.isArray(deps)) deps.forEach((d) => fromReq(d, false, 'pyproject.toml project.dependencies'));
  for (const [k, v] of py?.values ?? []) {
    if (k.startsWith('project.optional-dependencies.') && Array.isArray(v)) {
      v.forEach((d) => fromReq(d, true, 'pyproject.toml optional-dependencies'));
    }
    const poetry = /^tool\.poetry\.(dev-)?dependencies\.(.+)$|^tool\.poetry\.group\.[^.]+\.dependencies\.(.+)$/.exec(k);
    if (poetry) {
      const name = (poetry[2] ?? poetry[3])!;
      if (name === 'python') continue;
      out.push({ name, spec: typeof v === 'string' ? v : 'table', dev: k.includes('dev') || k.includes('group'), source: 'pyproject.toml [tool.poetry]' });
    }
  }
  const req = ctx.readText('requirements.txt');
  if (req !== null) {
    for (const raw of req.split(/\r?\n/)) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (line === '' || line.startsWith('#') || line.startsWith('-')) continue;
      fromReq(line, false, 'requirements.txt');
    }
  }
  return out;
}

function isUnbounded(d: DeclaredDependency, ecosystem: AuditEcosystem): boolean {
  const s = d.spec.trim();
  if (ecosystem === 'npm') return s === '' || s === '*' || s === 'latest' || s === 'x';
  if (d.source.includes('poetry')) return s === '*' || s === '';
  return !/[<>=~!@]/.test(s);
}

export function auditPoints(a: Extract<AuditOutcome, { measured: true }>): number {
  const c = a.counts;
  return Math.max(0, 30 - 15 * c.critical - 8 * c.high - 3 * c.moderate - 1 * c.low - 6 * c.unrated);
}

export async function assessDependencies(ctx: ProjectContext, audit: AuditRunner): Promise<DimensionResult> {
  const pkg = ctx.packageJson();
  const pyManifests = ['pyproject.toml', 'requirements.txt', 'Pipfile', 'setup.py'].filter((f) => ctx.exists(f));
  const ecosystems: AuditEcosystem[] = [];
  if (pkg) ecosystems.push('npm');
  if (pyManifests.length) ecosystems.push('python');
  if (ecosystems.length === 0) {
    return buildDimension('dependencies', 'Dependencies', DEPENDENCIES_WEIGHT, [
      {
        id: 'deps.manifest',
        label: 'Manifest',
        maxPoints: 100,
        points: 0,
        evidence: 'no dependency manifest (package.json, pyproject.toml, requirements.txt, Pipfile, setup.py)',
        advice: 'Declare dependencies in a manifest (package.json or pyproject.toml) with a lockfile',
      },
    ]);
  }

  const info: string[] = [];
  const npmDeps = npmDependencies(pkg);
  const pyDeps = ecosystems.includes('python') ? pythonDependencies(ctx) : [];
  if (pkg) {
    const prod = npmDeps.filter((d) => !d.dev).length;
    info.push(
      `package.json: ${plural(prod, 'runtime dependency', 'runtime dependencies')}, ${plural(npmDeps.length - prod, 'dev dependency', 'dev dependencies')}`,
    );
  }
  if (pyManifests.length) info.push(`Python (${pyManifests.join(', ')}): ${plural(pyDeps.length, 'declared dependency', 'declared dependencies')}`);

  // Lockfiles. A package.json that declares no dependency (peer dependencies included) has nothing
  // to lock: npm does not count then, and with nothing else to lock the check is not measured.
  const npmLockable = npmDeps.length > 0 || Object.keys(asRecord(pkg?.peerDependencies) ?? {}).length > 0;
  const lockEcosystems = ecosystems.filter((e) => e !== 'npm' || npmLockable);
  const locks: string[] = [];
  const unlocked: AuditEcosystem[] = [];
  let locked = 0;
  if (pkg && npmLockable) {
    const l = NPM_LOCKS.find((f) => ctx.exists(f));
    if (l) {
      locks.push(l);
      locked++;
    } else unlocked.push('npm');
  }
  if (pyManifests.length) {
    const l = PY_LOCKS.find((f) => ctx.exists(f));
    const reqDeps = pyDeps.filter((d) => d.source === 'requirements.txt');
    if (l) {
      locks.push(l);
      locked++;
    } else if (reqDeps.length > 0 && reqDeps.every((d) => /^==/.test(d.spec))) {
      locks.push('requirements.txt (every line pinned with ==)');
      locked++;
    } else unlocked.push('python');
  }
  const checks: Check[] = [
    lockEcosystems.length === 0
      ? { id: 'deps.lockfile', label: 'Lockfile', maxPoints: 40, points: null, evidence: 'not measured: package.json declares no dependencies' }
      : {
          id: 'deps.lockfile',
          label: 'Lockfile',
          maxPoints: 40,
          points: round1((40 * locked) / lockEcosystems.length),
          evidence: locks.length ? `${locks.join(', ')} (${locked}/${lockEcosystems.length} ecosystems locked)` : 'no lockfile',
          advice: `Commit ${unlocked.map((e) => LOCK_ADVICE[e]).join(', and ')} for reproducible installs`,
        },
  ];

  // package-lock.json in sync with package.json
  const lock = ctx.exists('package-lock.json') ? asRecord(ctx.readJsonc('package-lock.json')) : null;
  if (pkg && npmDeps.length === 0) {
    checks.push({
      id: 'deps.lock-sync',
      label: 'Lockfile in sync',
      maxPoints: 20,
      points: null,
      evidence: 'not measured: package.json declares no dependencies',
    });
  } else if (pkg && lock) {
    const rootEntry = asRecord(asRecord(lock.packages)?.['']);
    const recorded: Record<string, unknown> = rootEntry
      ? {
          ...(asRecord(rootEntry.dependencies) ?? {}),
          ...(asRecord(rootEntry.devDependencies) ?? {}),
          ...(asRecord(rootEntry.optionalDependencies) ?? {}),
        }
      : Object.fromEntries(Object.entries(asRecord(lock.dependencies) ?? {}).map(([k]) => [k, null]));
    const out = npmDeps.filter((d) => !(d.name in recorded) || (recorded[d.name] !== null && recorded[d.name] !== d.spec));
    checks.push({
      id: 'deps.lock-sync',
      label: 'Lockfile in sync',
      maxPoints: 20,
      points: out.length === 0 ? 20 : 0,
      evidence:
        out.length === 0
          ? `all ${npmDeps.length} package.json dependencies recorded in package-lock.json`
          : `${plural(out.length, 'dependency', 'dependencies')} missing or different in package-lock.json: ${out
              .slice(0, 5)
              .map((d) => d.name)
              .join(', ')}${out.length > 5 ? ', …' : ''}`,
      advice: 'Run npm install to bring package-lock.json in line with package.json',
    });
  } else {
    checks.push({
      id: 'deps.lock-sync',
      label: 'Lockfile in sync',
      maxPoints: 20,
      points: null,
      evidence: pkg
        ? 'not measured: no package-lock.json (only package-lock.json is compared with package.json)'
        : 'not measured: no package.json (only package.json + package-lock.json are compared)',
    });
  }

  const all: [DeclaredDependency, AuditEcosystem][] = [
    ...npmDeps.map((d) => [d, 'npm'] as [DeclaredDependency, AuditEcosystem]),
    ...pyDeps.map((d) => [d, 'python'] as [DeclaredDependency, AuditEcosystem]),
  ];
  const unbounded = all.filter(([d, e]) => isUnbounded(d, e)).map(([d]) => d.name);
  checks.push(
    all.length === 0
      ? { id: 'deps.bounded', label: 'Bounded versions', maxPoints: 10, points: null, evidence: 'not measured: no dependencies declared' }
      : {
          id: 'deps.bounded',
          label: 'Bounded versions',
          maxPoints: 10,
          points: round1(10 * (1 - unbounded.length / all.length)),
          evidence:
            `${unbounded.length} of ${all.length} declared dependencies unbounded ('*', 'latest' or no version)` +
            (unbounded.length ? `: ${unbounded.slice(0, 5).join(', ')}${unbounded.length > 5 ? ', …' : ''}` : ''),
          advice: `Give version ranges to: ${unbounded.slice(0, 5).join(', ')}`,
        },
  );

  for (const eco of ecosystems) {
    const canAudit = eco === 'npm' ? ctx.exists('package-lock.json') : true;
    const outcome: AuditOutcome = canAudit
      ? await audit(eco, ctx)
      : { measured: false, tool: 'npm audit', reason: 'npm audit needs package-lock.json, which does not exist' };
    if (outcome.measured) {
      const c = outcome.counts;
      const detail =
        eco === 'npm'
          ? `${c.critical} critical, ${c.high} high, ${c.moderate} moderate, ${c.low} low`
          : plural(c.unrated, 'known vulnerability', 'known vulnerabilities');
      checks.push({
        id: `deps.audit-${eco}`,
        label: `Audit (${outcome.tool})`,
        maxPoints: 30,
        points: auditPoints(outcome),
        evidence: detail,
        advice: `Fix the vulnerabilities ${outcome.tool} reports (${detail})`,
      });
    } else {
      checks.push({
        id: `deps.audit-${eco}`,
        label: `Audit (${outcome.tool})`,
        maxPoints: 30,
        points: null,
        evidence: `not measured: ${outcome.reason}`,
      });
    }
  }
  return buildDimension('dependencies', 'Dependencies', DEPENDENCIES_WEIGHT, checks, info);
}
