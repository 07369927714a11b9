import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstParagraph, parseFrontMatter } from './front-matter.js';

test('parseFrontMatter: a mapping and the body after it', () => {
  assert.deepEqual(parseFrontMatter('---\nname: review\ndescription: "Review: code"\n---\nBody\n'), {
    ok: true,
    data: { name: 'review', description: 'Review: code' },
    body: 'Body\n',
  });
  assert.deepEqual(parseFrontMatter('\uFEFF---\r\nname: x\r\n---\r\nB'), { ok: true, data: { name: 'x' }, body: 'B' });
  assert.deepEqual(parseFrontMatter('---\n---\nB'), { ok: true, data: {}, body: 'B' });
});

test('parseFrontMatter: no front matter is not an error', () => {
  assert.deepEqual(parseFrontMatter('# Title\n'), { ok: true, data: null, body: '# Title\n' });
});

test('parseFrontMatter: broken front matter is an error naming the file line', () => {
  const cases: [string, RegExp][] = [
    ['---\nname: a\ndescription: b: c\n---\n', /\(line 3\)$/],
    ['---\nname: a\nname: b\n---\n', /unique.*\(line 3\)$/],
    ['---\ndescription: "open\n---\n', /quote/],
    ['---\nname: a\n', /never closed/],
    ['---\n- a\n- b\n---\n', /not a mapping/],
    ['---\nkey: *missing\n---\n', /alias/i],
  ];
  for (const [text, rule] of cases) {
    const r = parseFrontMatter(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.match(r.error, rule, text);
  }
});

test('firstParagraph: skips headings and blank lines, joins the paragraph', () => {
  assert.equal(firstParagraph('# Title\n\nFirst line\nsecond  line\n\nNext'), 'First line second line');
  assert.equal(firstParagraph(''), '');
});
