import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePromText, sampleKey } from './prom-text.js';
import { DurationHistogram, escapeLabelValue, InvocationCounter } from './skill-series.js';

describe('escapeLabelValue', () => {
  it('escapes backslash, double quote and newline only', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd é'), 'a\\\\b\\"c\\nd é');
  });
});

describe('InvocationCounter', () => {
  it('renders one counter sample per skill, phase and outcome', () => {
    const c = new InvocationCounter('Help text.');
    c.inc('x', 'testing', true);
    c.inc('x', 'testing', true, 4);
    c.inc('say "hi"', 'review', false);
    const text = c.render();
    assert.match(text, /^# HELP skill_invocations_total Help text\.\n# TYPE skill_invocations_total counter\n/);
    const m = parsePromText(text);
    assert.equal(m.get(sampleKey('skill_invocations_total', { skill_name: 'x', workflow_phase: 'testing', completed: 'true' })), 5); // 1 + 4
    assert.equal(m.get(sampleKey('skill_invocations_total', { skill_name: 'say "hi"', workflow_phase: 'review', completed: 'false' })), 1);
    assert.equal(m.size, 2);
  });
});

describe('DurationHistogram', () => {
  it('counts a value equal to a bound into that bucket (le is inclusive) and renders cumulative buckets', () => {
    const h = new DurationHistogram('Durations.', [0.1, 1, 10]);
    for (const v of [0.05, 0.1, 0.5, 1, 20]) h.observe('s', v);
    const m = parsePromText(h.render());
    const b = (le: string) => m.get(sampleKey('skill_duration_seconds_bucket', { skill_name: 's', le }));
    assert.equal(b('0.1'), 2); // 0.05, 0.1
    assert.equal(b('1'), 4); // + 0.5, 1
    assert.equal(b('10'), 4);
    assert.equal(b('+Inf'), 5); // + 20
    assert.equal(m.get(sampleKey('skill_duration_seconds_count', { skill_name: 's' })), 5);
    assert.ok(Math.abs(m.get(sampleKey('skill_duration_seconds_sum', { skill_name: 's' }))! - 21.65) < 1e-9); // 0.05+0.1+0.5+1+20
  });

  it('renders only the header when empty', () => {
    assert.equal(new DurationHistogram('D.', [1]).render(), '# HELP skill_duration_seconds D.\n# TYPE skill_duration_seconds histogram\n');
  });
});
