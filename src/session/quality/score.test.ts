import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { git, makeBareProject, makeRichProject, removeDir, writeFiles, initRepo, tempDir } from '../fixture-projects.js';
import type { AuditRunner } from './audit.js';
import { disabledAudit } from './audit.js';
import { assessQuality, combineDimensions, DIMENSION_WEIGHTS, maturityLabel, type QualityReport } from './score.js';
import type { DimensionId, DimensionResult } from './types.js';

const NOW = Date.parse('2026-01-12T12:00:00Z'); // two days after the fixture commit

function dim(q: QualityReport, id: DimensionId): DimensionResult {
  const d = q.dimensions.find((x) => x.id === id);
  assert.ok(d, `dimension ${id}`);
  return d;
}

function evidence(q: QualityReport, id: DimensionId): string {
  return dim(q, id).evidence.join('\n');
}

describe('Quality Score V2 on fixture projects', () => {
  let rich: string;
  let bare: string;
  let richQ: QualityReport;
  let bareQ: QualityReport;

  before(async () => {
    rich = makeRichProject();
    bare = makeBareProject();
    [richQ, bareQ] = await Promise.all([assessQuality(rich, { now: NOW, audit: disabledAudit }), assessQuality(bare, { now: NOW, audit: disabledAudit })]);
  });
  after(() => {
    removeDir(rich);
    removeDir(bare);
  });

  it('weights sum to 100', () => {
    assert.equal(
      Object.values(DIMENSION_WEIGHTS).reduce((a, b) => a + b, 0),
      100,
    );
  });

  it('detects the rich project as node + typescript with git facts', () => {
    assert.equal(richQ.project.name, 'rich-app');
    assert.deepEqual(richQ.project.types, ['node', 'typescript']);
    assert.equal(richQ.project.git.isRepo, true);
    assert.equal(richQ.project.git.branch, 'main');
    assert.match(richQ.project.git.head ?? '', /^[0-9a-f]{40}$/);
    assert.equal(bareQ.project.git.isRepo, false);
    assert.deepEqual(bareQ.project.types, ['node']);
  });

  it('scores the rich project per dimension as computed by hand', () => {
    // tests: files 40 (2 tests / 2 sources, ratio 1 ≥ 0.5) + command 30 + coverage min(1, 90/80)·30 = 30 → 100
    assert.equal(dim(richQ, 'tests').score, 100);
    // typing: tsconfig 20 + strict 40 + flags 8+3+3 = 14 of 20 + tsc script 20 = 94
    assert.equal(dim(richQ, 'typing').score, 94);
    // lint: eslint 50 + lint script 30 + prettier 20
    assert.equal(dim(richQ, 'lint').score, 100);
    // docs: README 20 + 4 sections 40 + ratio 3 docs / 2 sources 25 + LICENSE 15
    assert.equal(dim(richQ, 'docs').score, 100);
    // dependencies: lockfile 40 + in sync 20 + bounded 10 = 70 of 70 (audit not measured)
    assert.equal(dim(richQ, 'dependencies').score, 100);
    // git: clean 30 + 1/1 conventional 30 + last commit 2 days ago 20 + .gitignore 10 + .env ignored 10
    assert.equal(dim(richQ, 'git').score, 100);
    // security: no secrets 70 + no tracked .env 15 + SECURITY.md 15
    assert.equal(dim(richQ, 'security').score, 100);
    // total = (25·100 + 10·94 + 10·100 + 15·100 + 15·100 + 15·100 + 10·100) / 100 = 99.4
    assert.equal(richQ.total, 99.4);
    assert.equal(richQ.measuredWeight, 100);
    assert.equal(richQ.maturity, 'production-grade');
  });

  it('scores the bare project as computed by hand', () => {
    for (const id of ['tests', 'typing', 'lint', 'docs', 'dependencies', 'git'] as const) {
      assert.equal(dim(bareQ, id).score, 0, id);
      assert.equal(dim(bareQ, id).measured, true, id);
    }
    // security: secrets 70 of (70 + policy 15); .env check not measured outside git → round(100·70/85) = 82
    assert.equal(dim(bareQ, 'security').score, 82);
    // total = 10·82/100 = 8.2
    assert.equal(bareQ.total, 8.2);
    assert.equal(bareQ.maturity, 'minimal');
  });

  it('rich scores higher than bare on every dimension but security basics, where it is at least equal', () => {
    for (const d of richQ.dimensions) {
      const b = dim(bareQ, d.id);
      if (d.id === 'security') assert.ok(d.score >= b.score);
      else assert.ok(d.score > b.score, `${d.id}: ${d.score} > ${b.score}`);
    }
  });

  it('evidence names the measured facts', () => {
    assert.match(evidence(richQ, 'tests'), /2 test files for 2 non-test source files \(ratio 1\.00/);
    assert.match(evidence(richQ, 'tests'), /package\.json scripts\.test = "node --test"/);
    assert.match(evidence(richQ, 'tests'), /line coverage 90% from coverage\/coverage-summary\.json/);
    assert.match(evidence(richQ, 'typing'), /"strict": true/);
    assert.match(evidence(richQ, 'typing'), /3\/5 enabled \(noUncheckedIndexedAccess, noImplicitOverride, noFallthroughCasesInSwitch\)/);
    assert.match(evidence(richQ, 'lint'), /ESLint \(eslint\.config\.js\)/);
    assert.match(evidence(richQ, 'docs'), /found 4\/4 \(Installation, Usage, Development, License\)/);
    assert.match(evidence(richQ, 'dependencies'), /package-lock\.json \(1\/1 ecosystems locked\)/);
    assert.match(evidence(richQ, 'dependencies'), /1 runtime dependency, 1 dev dependency/);
    assert.match(evidence(richQ, 'dependencies'), /not measured: dependency audit is turned off/);
    assert.match(evidence(richQ, 'git'), /branch main, HEAD [0-9a-f]{12}/);
    assert.match(evidence(richQ, 'git'), /1 of the last 1 non-merge commit follow Conventional Commits \(100%\)/);
    assert.match(evidence(richQ, 'git'), /last commit 2 days ago; 1 commit in the last 30 days/);
    assert.match(evidence(richQ, 'git'), /\.env is ignored/);
    assert.match(evidence(richQ, 'security'), /scanned \d+ tracked files .*no possible secrets found/);

    assert.match(evidence(bareQ, 'tests'), /0 test files for 1 non-test source file/);
    assert.match(evidence(bareQ, 'tests'), /not measured: no coverage report found/);
    assert.match(evidence(bareQ, 'typing'), /tsconfig\.json: missing/);
    assert.match(evidence(bareQ, 'typing'), /Type-check command: no package\.json script runs tsc/);
    assert.match(evidence(bareQ, 'docs'), /README: missing/);
    assert.match(evidence(bareQ, 'dependencies'), /no dependency manifest/);
    assert.match(evidence(bareQ, 'git'), /not a git repository/);
    assert.match(evidence(bareQ, 'security'), /scanned 1 on-disk file/);
    assert.match(evidence(bareQ, 'security'), /Committed \.env files: not measured: not a git repository/);
  });

  it('gives prioritised recommendations to the bare project and few to the rich one', () => {
    assert.ok(bareQ.recommendations.length >= 8);
    assert.equal(bareQ.recommendations[0]!.priority, 'high');
    // Highest gain first: a manifest is worth the whole dependencies weight (15 points);
    // then git (15), then test files = 25 · 40/70 ≈ 14.3 points.
    assert.deepEqual(
      bareQ.recommendations.slice(0, 3).map((r) => [r.dimension, r.gain]),
      [
        ['dependencies', 15],
        ['git', 15],
        ['tests', 14.3],
      ],
    );
    // Missing tsconfig is one recommendation worth 10 · 80/100 = 8 points.
    const ts = bareQ.recommendations.filter((r) => r.dimension === 'typing');
    assert.deepEqual(
      ts.map((r) => r.gain),
      [8, 2],
    );
    const ranks = { high: 0, medium: 1, low: 2 };
    for (let i = 1; i < bareQ.recommendations.length; i++) {
      assert.ok(ranks[bareQ.recommendations[i - 1]!.priority] <= ranks[bareQ.recommendations[i]!.priority]);
    }
    // Rich: only the two missing tsconfig flags, worth 10 · 6/100 = 0.6 points.
    assert.deepEqual(
      richQ.recommendations.map((r) => [r.priority, r.dimension, r.gain]),
      [['low', 'typing', 0.6]],
    );
  });
});

describe('Quality Score V2 on other shapes', () => {
  it('uses a measured audit result: 30 − 8·high − 3·moderate', async () => {
    const root = makeRichProject();
    try {
      const audit: AuditRunner = async () => ({
        measured: true,
        tool: 'npm audit',
        counts: { critical: 0, high: 1, moderate: 2, low: 0, unrated: 0 },
        total: 3,
      });
      const q = await assessQuality(root, { now: NOW, audit });
      // (40 + 20 + 10 + (30 − 8 − 6 = 16)) / 100 = 86
      assert.equal(dim(q, 'dependencies').score, 86);
      assert.match(evidence(q, 'dependencies'), /0 critical, 1 high, 2 moderate, 0 low/);
    } finally {
      removeDir(root);
    }
  });

  it('does not score a lockfile for a package.json without dependencies (nothing to lock): the dimension is left out', async () => {
    const root = tempDir('no-deps');
    try {
      writeFiles(root, {
        'package.json': JSON.stringify({ name: 'no-deps', scripts: { test: 'node --test' } }),
        'src/math.js': 'export const add = (a, b) => a + b;\n',
      });
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      const deps = dim(q, 'dependencies');
      assert.equal(deps.measured, false);
      assert.match(evidence(q, 'dependencies'), /Lockfile: not measured: package\.json declares no dependencies/);
      // Without a package-lock.json either, the sync check says why, not that it is checked only for package-lock.json.
      assert.match(evidence(q, 'dependencies'), /Lockfile in sync: not measured: package\.json declares no dependencies/);
      assert.doesNotMatch(q.recommendations.map((r) => r.text).join('\n'), /lockfile/i);
      // The same project with one dependency and no lockfile: 0 of 40, and the advice.
      writeFiles(root, { 'package.json': JSON.stringify({ name: 'no-deps', dependencies: { zod: '^3.0.0' } }) });
      const q2 = await assessQuality(root, { now: NOW, audit: disabledAudit });
      assert.equal(dim(q2, 'dependencies').measured, true);
      assert.equal(dim(q2, 'dependencies').checks.find((c) => c.id === 'deps.lockfile')?.points, 0);
      assert.match(q2.recommendations.map((r) => r.text).join('\n'), /Commit a lockfile for package\.json/);
      assert.match(
        evidence(q2, 'dependencies'),
        /Lockfile in sync: not measured: no package-lock\.json \(only package-lock\.json is compared with package\.json\)/,
      );
    } finally {
      removeDir(root);
    }
  });

  it('finds committed secrets and .env files without printing the secret', async () => {
    const root = tempDir('secrets');
    const awsKey = ['AKIA', 'Q3EGRJ7XN2MZK5TB'].join(''); // assembled so this file holds no key-shaped literal
    const token = ['ghp_', 'a'.repeat(20), 'B'.repeat(16)].join('');
    try {
      writeFiles(root, {
        'config.js': `const region = 'eu';\nconst key = '${awsKey}';\n`,
        'deploy.sh': `echo start\nexport TOKEN=${token}\n`,
        '.env': 'PASSWORD=hunter2hunter2hunter2\n',
        'example.js': "const apiKey = 'your-api-key-goes-here-please';\n",
      });
      initRepo(root, 'chore: add config');
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      const ev = evidence(q, 'security');
      assert.match(ev, /config\.js:2 \(AWS access key id\)/);
      assert.match(ev, /deploy\.sh:2 \(GitHub token\)/);
      assert.match(ev, /\.env:1 \(hard-coded credential\)/);
      assert.match(ev, /tracked: \.env/);
      assert.ok(!ev.includes(awsKey) && !ev.includes(token) && !ev.includes('hunter2'));
      assert.doesNotMatch(ev, /example\.js/); // placeholder value is not a finding
      // secrets: 70 − 35·3 files (.env's bare PASSWORD= value, config.js, deploy.sh), floor 0;
      // .env tracked 0 of 15; no SECURITY.md 0 of 15 → 0
      assert.equal(dim(q, 'security').score, 0);
      assert.equal(q.recommendations[0]!.priority, 'high');
      assert.match(q.recommendations.map((r) => r.text).join('\n'), /Remove and rotate possible secrets in \.env, config\.js, deploy\.sh/);
      // The tracked .env is as urgent as the secrets, whatever the 1.5 points it is worth.
      assert.deepEqual(
        q.recommendations.filter((r) => /Stop tracking \.env/.test(r.text)).map((r) => r.priority),
        ['high'],
      );
      assert.notEqual(q.maturity, 'production-grade');
      assert.notEqual(q.maturity, 'mature');
    } finally {
      removeDir(root);
    }
  });

  it('does not count a language from a few helper files without its manifest', async () => {
    const root = tempDir('mixed');
    try {
      const ts = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`src/m${i}.ts`, `export const x${i} = ${i};\n`]));
      writeFiles(root, {
        'package.json': '{"name":"tsapp","devDependencies":{"typescript":"^5"}}',
        'tsconfig.json': '{"compilerOptions":{"strict":true}}',
        ...ts,
        'scripts/check.py': 'print(1)\n',
      });
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      // 1 Python file of 10 code files (10 %, under the 20 % share): not a Python project, and said so.
      assert.deepEqual(q.project.types, ['node', 'typescript']);
      assert.ok(q.project.indicators.includes('1 Python file (10% of the code files: too few to count)'), q.project.indicators.join('; '));
      writeFiles(root, { 'scripts/a.py': '', 'scripts/b.py': '' });
      // 3 of 12 (25 %): it counts.
      const again = await assessQuality(root, { now: NOW, audit: disabledAudit });
      assert.deepEqual(again.project.types, ['node', 'typescript', 'python']);
    } finally {
      removeDir(root);
    }
  });

  it('advises the lockfile of the project ecosystem, and counts test files in the singular', async () => {
    const root = tempDir('py-nolock');
    try {
      writeFiles(root, {
        'pyproject.toml': '[project]\nname = "pyapp"\ndependencies = ["requests>=2.31"]\n',
        'pyapp/a.py': 'A = 1\n',
        'pyapp/b.py': 'B = 1\n',
        'pyapp/c.py': 'C = 1\n',
        'tests/test_a.py': 'def test_a() -> None:\n    assert True\n',
      });
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      const texts = q.recommendations.map((r) => r.text).join('\n');
      assert.match(texts, /Commit a Python lockfile \(uv\.lock, poetry\.lock, Pipfile\.lock or pdm\.lock, or a requirements\.txt pinning every line with ==\)/);
      assert.doesNotMatch(texts, /package-lock\.json/);
      assert.match(texts, /Add tests: 1 test file for 3 source files/);
    } finally {
      removeDir(root);
    }
  });

  it('reads a Python project: mypy strict, pytest config, ruff', async () => {
    const root = tempDir('py');
    try {
      writeFiles(root, {
        'pyproject.toml': `[project]
name = "pyapp"
dependencies = [
  "requests>=2.31",  # http
  "rich",
]

[tool.mypy]
strict = true

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.ruff]
line-length = 100
`,
        'uv.lock': 'version = 1\n',
        'pyapp/__init__.py': '',
        'pyapp/core.py': 'def f() -> int:\n    return 1\n',
        'tests/test_core.py': 'def test_f() -> None:\n    assert True\n',
        Makefile: 'typecheck:\n\tmypy pyapp\n',
      });
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      assert.equal(q.project.name, 'pyapp');
      assert.deepEqual(q.project.types, ['python']);
      // typing: config 40 + strict 40 + mypy in Makefile 20
      assert.equal(dim(q, 'typing').score, 100);
      // tests: files: 1 test / 2 sources (__init__.py, core.py) = 0.5 → 40; command (pytest config) 30 → 70/70
      assert.equal(dim(q, 'tests').score, 100);
      // lint: ruff config 50 + no command 0 + "Ruff format" (ruff present via ruff.toml only) 0 → 50
      assert.equal(dim(q, 'lint').score, 50);
      // dependencies: uv.lock 40 + sync not measured + bounded: 1 of 2 unbounded → 5; audit needs requirements.txt → not measured
      // → (40 + 5) / (40 + 10) = 90
      assert.equal(dim(q, 'dependencies').score, 90);
      assert.match(evidence(q, 'dependencies'), /1 of 2 declared dependencies unbounded .*: rich/);
    } finally {
      removeDir(root);
    }
  });
});

/** Dimension id → [measured, score] for a compact comparison. */
function scores(q: QualityReport): Record<string, [boolean, number]> {
  return Object.fromEntries(q.dimensions.map((d) => [d.id, [d.measured, d.score]]));
}

describe('Quality Score V2 on directories with nothing to measure', () => {
  it('an empty directory: what is computed over no files is not measured, and only measured facts count', async () => {
    const root = tempDir('empty');
    try {
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      assert.deepEqual(scores(q), {
        tests: [false, 0],
        typing: [false, 0],
        lint: [false, 0],
        // README missing 0/20, sections 0/40, license 0/15; the docs ratio (0 docs for 0 sources) is not measured
        docs: [true, 0],
        dependencies: [true, 0], // no manifest
        git: [true, 0], // not a git repository
        security: [false, 0],
      });
      assert.match(evidence(q, 'tests'), /not measured: no source files to test/);
      assert.match(evidence(q, 'lint'), /not measured: no source files to lint/);
      assert.match(evidence(q, 'docs'), /Docs ratio: not measured: no documentation and no non-test source files/);
      assert.match(evidence(q, 'security'), /not measured: no files to scan \(0 on-disk files\)/);
      assert.doesNotMatch(evidence(q, 'security'), /scanned 0/);
      // Unmeasured dimensions are left out: total = 100 · 0 / (docs 15 + dependencies 15 + git 15) = 0.
      assert.equal(q.measuredWeight, 45);
      assert.equal(q.total, 0);
      // Nothing is recommended for what was not measured.
      assert.deepEqual([...new Set(q.recommendations.map((r) => r.dimension))].sort(), ['dependencies', 'docs', 'git']);
    } finally {
      removeDir(root);
    }
  });

  it('a directory with only a README.md: no code dimension is measured', async () => {
    const root = tempDir('readme-only');
    try {
      writeFiles(root, { 'README.md': '# notes\n\nSome notes.\n' });
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      assert.deepEqual(scores(q), {
        tests: [false, 0],
        typing: [false, 0],
        lint: [false, 0],
        // README (2 lines) 10/20 + sections 0/40 + 1 doc and no source 25/25 + license 0/15 = 35
        docs: [true, 35],
        dependencies: [true, 0],
        git: [true, 0],
        // the secrets scan covered README.md (70/70) + no SECURITY.md 0/15; .env check not measured outside git
        security: [true, 82],
      });
      assert.match(evidence(q, 'tests'), /not measured: no source files to test \(1 file, none with a source extension\)/);
      assert.match(evidence(q, 'security'), /scanned 1 on-disk file/);
      // (15·35 + 10·82) / 100 = 13.45 of the measured weight 55 → 100 · 13.45 / 55 = 24.5
      assert.equal(q.measuredWeight, 55);
      assert.equal(q.total, 24.5);
    } finally {
      removeDir(root);
    }
  });

  it('a manifest and configuration without code: tests, type checking and lint are not measured', async () => {
    const root = tempDir('config-only');
    try {
      writeFiles(root, {
        'package.json': '{"name":"scaffold","scripts":{"test":"node --test","lint":"eslint ."}}',
        'tsconfig.json': '{"compilerOptions":{"strict":true}}',
        'eslint.config.js': 'export default [];\n', // tool configuration, not source
      });
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      assert.deepEqual(q.project.types, ['node', 'typescript']);
      for (const id of ['tests', 'typing', 'lint'] as const) assert.equal(dim(q, id).measured, false, id);
      assert.match(evidence(q, 'typing'), /not measured: no source files to type-check \(3 files, none with a source extension\)/);
    } finally {
      removeDir(root);
    }
  });

  it('a package without dependencies: the lockfile, lockfile sync and bounded-version checks are not measured', async () => {
    const root = tempDir('no-deps');
    try {
      writeFiles(root, {
        'package.json': '{"name":"nodeps","version":"1.0.0"}',
        'package-lock.json': '{"name":"nodeps","lockfileVersion":3,"packages":{"":{"name":"nodeps"}}}',
        'index.js': 'export const x = 1;\n',
      });
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      const ev = evidence(q, 'dependencies');
      assert.match(ev, /Lockfile in sync: not measured: package\.json declares no dependencies/);
      assert.match(ev, /Bounded versions: not measured: no dependencies declared/);
      // nothing to lock, even with a lockfile: no check measured, the dimension is left out of the total
      assert.match(ev, /Lockfile: not measured: package\.json declares no dependencies/);
      assert.equal(dim(q, 'dependencies').measured, false);
      assert.equal(dim(q, 'dependencies').checks.filter((c) => c.points !== null).length, 0);
    } finally {
      removeDir(root);
    }
  });

  it('a repository without commits: commit messages are not measured; without tracked files security is not measured', async () => {
    const root = tempDir('no-commits');
    try {
      writeFiles(root, { 'index.js': 'export const x = 1;\n', '.gitignore': '.env\n' });
      git(root, ['init', '-q', '-b', 'main']);
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      const ev = evidence(q, 'git');
      assert.match(ev, /Commit messages: not measured: no commits yet/);
      assert.match(ev, /Recent activity: no commits yet/);
      // working tree 2 untracked → 15/30, activity 0/20, ignore 20/20 → 35/70 = 50
      assert.equal(dim(q, 'git').score, 50);
      assert.equal(dim(q, 'security').measured, false);
      assert.match(evidence(q, 'security'), /not measured: no files to scan \(0 tracked files\)/);
    } finally {
      removeDir(root);
    }
  });

  it('files that are all skipped by the secrets scan: the scan is not measured, the rest of the dimension is', async () => {
    const root = tempDir('lock-only');
    try {
      writeFiles(root, { 'yarn.lock': '# yarn lockfile v1\n' });
      const q = await assessQuality(root, { now: NOW, audit: disabledAudit });
      const ev = evidence(q, 'security');
      assert.match(ev, /Secrets scan: not measured: no file to scan \(skipped 1 lockfile\)/);
      // only the security policy check (0/15) is measured
      assert.deepEqual([dim(q, 'security').measured, dim(q, 'security').score], [true, 0]);
    } finally {
      removeDir(root);
    }
  });
});

describe('combineDimensions', () => {
  const d = (id: DimensionId, weight: number, score: number, measured = true): DimensionResult => ({
    id,
    label: id,
    weight,
    score,
    measured,
    evidence: [],
    checks: [],
    recommendations: [],
  });

  it('renormalises over measured dimensions and never exceeds 100', () => {
    // measured: 25·80/100 + 15·60/100 = 20 + 9 = 29 of weight 40 → 100·29/40 = 72.5
    const r = combineDimensions([d('tests', 25, 80), d('docs', 15, 60), d('git', 15, 0, false)]);
    assert.equal(r.total, 72.5);
    assert.equal(r.measuredWeight, 40);
    assert.equal(r.maturity, 'mature');
    assert.equal(combineDimensions([d('tests', 25, 100), d('docs', 75, 100)]).total, 100);
  });

  it('rounds the exact weighted sum once', () => {
    // 25·71 + 10·80 + 10·0 + 15·35 + 15·100 + 15·80 + 10·85 = 6650 → 66.5 (the parts the user saw rounded to one decimal summed to 66.6)
    const parts = [
      d('tests', 25, 71),
      d('typing', 10, 80),
      d('lint', 10, 0),
      d('docs', 15, 35),
      d('dependencies', 15, 100),
      d('git', 15, 80),
      d('security', 10, 85),
    ];
    assert.equal(combineDimensions(parts).total, 66.5);
    // 25·71 + 10·80 = 2575 of 35 → 73.571… → 73.6
    assert.equal(combineDimensions([d('tests', 25, 71), d('typing', 10, 80)]).total, 73.6);
    // 25·71 + 15·35 = 2300 of 40 → 57.5 exactly (half up, not 57.4 from 17.75 + 5.25 in floating point)
    assert.equal(combineDimensions([d('tests', 25, 71), d('docs', 15, 35)]).total, 57.5);
  });

  it('is null when nothing was measured', () => {
    assert.deepEqual(combineDimensions([d('tests', 25, 0, false)]), { total: null, maturity: null, maturityReason: null, measuredWeight: 0 });
  });

  it('is at most developing while credentials are committed, whatever the total', () => {
    const security = (checks: DimensionResult['checks']): DimensionResult => ({ ...d('security', 10, 50), checks });
    const all100 = [d('tests', 25, 100), d('docs', 65, 100)];
    const secrets = { id: 'security.secrets', label: 'Secrets scan', maxPoints: 70, points: 35, evidence: '1 finding' };
    const env = { id: 'security.env', label: 'Committed .env files', maxPoints: 15, points: 0, evidence: 'tracked: .env' };
    const clean = { ...secrets, points: 70 };
    // 25 + 65 + 5 = 95 of 100: production-grade but for the leak.
    assert.deepEqual(combineDimensions([...all100, security([secrets])]), {
      total: 95,
      maturity: 'developing',
      maturityReason: 'capped at developing (production-grade by score) while possible secrets are committed',
      measuredWeight: 100,
    });
    assert.deepEqual(combineDimensions([...all100, security([clean, env])]), {
      total: 95,
      maturity: 'developing',
      maturityReason: 'capped at developing (production-grade by score) while a .env file is committed',
      measuredWeight: 100,
    });
    assert.equal(
      combineDimensions([...all100, security([secrets, env])]).maturityReason,
      'capped at developing (production-grade by score) while possible secrets and a .env file are committed',
    );
    const clear = combineDimensions([...all100, security([clean, { ...env, points: 15 }])]);
    assert.equal(clear.maturity, 'production-grade');
    assert.equal(clear.maturityReason, null);
    // The cap never raises a lower label, and a label it does not lower needs no reason.
    assert.deepEqual(combineDimensions([d('tests', 90, 10), security([secrets])]).maturityReason, null);
    assert.equal(combineDimensions([d('tests', 90, 10), security([secrets])]).maturity, 'minimal');
    assert.equal(maturityLabel(30, true), 'early');
  });

  it('maturity thresholds', () => {
    assert.equal(maturityLabel(85), 'production-grade');
    assert.equal(maturityLabel(84.9), 'mature');
    assert.equal(maturityLabel(50), 'developing');
    assert.equal(maturityLabel(25), 'early');
    assert.equal(maturityLabel(24.9), 'minimal');
  });
});
