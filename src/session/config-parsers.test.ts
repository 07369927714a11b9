import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIni, parseJsonc, parseTomlLite } from './config-parsers.js';

describe('parseJsonc', () => {
  it('strips comments and trailing commas but keeps // inside strings', () => {
    const v = parseJsonc('{\n // c\n "a": "http://x", /* b */ "b": [1, 2,],\n}');
    assert.deepEqual(v, { a: 'http://x', b: [1, 2] });
  });
  it('returns null for invalid input', () => {
    assert.equal(parseJsonc('{ nope'), null);
  });
});

describe('parseTomlLite', () => {
  it('reads tables, scalars and multi-line string arrays', () => {
    const t = parseTomlLite(`name = "top"
[project]
name = "demo"   # trailing comment
dependencies = [
  "a>=1",  # why
  'b',
]
[tool.mypy]
strict = true
level = 3
[tool."ruff".lint]
select = ["E"]
`);
    assert.equal(t.values.get('name'), 'top');
    assert.equal(t.values.get('project.name'), 'demo');
    assert.deepEqual(t.values.get('project.dependencies'), ['a>=1', 'b']);
    assert.equal(t.values.get('tool.mypy.strict'), true);
    assert.equal(t.values.get('tool.mypy.level'), 3);
    assert.ok(t.tables.has('tool.ruff.lint'));
    assert.deepEqual(t.values.get('tool.ruff.lint.select'), ['E']);
  });
});

describe('parseIni', () => {
  it('reads sections and lower-cases keys', () => {
    const ini = parseIni('[mypy]\nStrict = True\n; comment\n[flake8]\nmax-line-length: 100\n');
    assert.equal(ini.get('mypy')?.get('strict'), 'True');
    assert.equal(ini.get('flake8')?.get('max-line-length'), '100');
  });
});
