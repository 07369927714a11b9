import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relationshipOf, skillDependencies } from './dependencies.js';
import type { SkillPairCount } from './types.js';

/*
 * 10 sessions. Sessions per skill: lint 5, test 4, deploy 2, docs 5.
 * Pairs: lint+test 3, deploy+test 2, docs+lint 1.
 *   rule          support  confidence      lift = confidence / (sessions(B)/10)
 *   deploy→test   2/10     2/2 = 1         1    / 0.4 = 2.5
 *   test→deploy   2/10     2/4 = 0.5       0.5  / 0.2 = 2.5
 *   test→lint     3/10     3/4 = 0.75      0.75 / 0.5 = 1.5
 *   lint→test     3/10     3/5 = 0.6       0.6  / 0.4 = 1.5
 *   docs→lint     1/10     1/5 = 0.2       0.2  / 0.5 = 0.4
 *   lint→docs     1/10     1/5 = 0.2       0.2  / 0.5 = 0.4
 * Order: lift desc, support desc, then confidence desc, then names.
 */
const PAIRS: SkillPairCount[] = [
  { a: 'lint', b: 'test', sessions: 3 },
  { a: 'deploy', b: 'test', sessions: 2 },
  { a: 'docs', b: 'lint', sessions: 1 },
];
const PER_SKILL = { lint: 5, test: 4, deploy: 2, docs: 5 };

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

describe('skillDependencies', () => {
  it('computes support, confidence and lift both ways and sorts by lift', () => {
    const r = skillDependencies({ pairs: PAIRS, sessionsPerSkill: PER_SKILL, totalSessions: 10, minSupport: 0, limit: 10 });
    assert.deepEqual(
      r.rules.map((x) => `${x.antecedent}>${x.consequent}`),
      ['deploy>test', 'test>deploy', 'test>lint', 'lint>test', 'docs>lint', 'lint>docs'],
    );
    const expected = [
      [0.2, 1, 2.5],
      [0.2, 0.5, 2.5],
      [0.3, 0.75, 1.5],
      [0.3, 0.6, 1.5],
      [0.1, 0.2, 0.4],
      [0.1, 0.2, 0.4],
    ];
    r.rules.forEach((rule, i) => {
      close(rule.support, expected[i]![0]!);
      close(rule.confidence, expected[i]![1]!);
      close(rule.lift, expected[i]![2]!);
    });
    assert.equal(r.rules[2]!.sessions_together, 3);
    assert.equal(r.rules_matched, 6);
    assert.equal(r.total_sessions, 10);
  });

  it('orders by lift, support, confidence, then antecedent and consequent name, whatever order the pairs come in', () => {
    /*
     * 10 sessions. Sessions per skill: a 1, b 3, c 3, d 2, e 3, f 2, h 2, i 5, j 5.
     * Pairs: a+b 1, c+d 2, e+f 2 (c+d's twin), h+i 1, h+j 1 (twins).
     *   a→b, b→a, c→d, d→c, e→f, f→e: lift 10/3 each (t·N / (sessions(A)·sessions(B)): 10/3, 20/6, 20/6)
     *     support: c/d and e/f pairs .2, a/b .1; confidence: d→c, f→e 1; c→d, e→f 2/3; a→b 1; b→a 1/3
     *   h→i, h→j, i→h, j→h: lift 1 (10/10), support .1; confidence h→· .5, ·→h .2
     * The lifts of a→b and c→d are equal: computed as confidence / (sessions(B) / N) they differed in
     * the last bit (3.3333333333333335 against 3.333333333333333), which ranked a→b first in spite of its lower support.
     */
    const pairs: SkillPairCount[] = [
      { a: 'j', b: 'h', sessions: 1 },
      { a: 'i', b: 'h', sessions: 1 },
      { a: 'e', b: 'f', sessions: 2 },
      { a: 'c', b: 'd', sessions: 2 },
      { a: 'a', b: 'b', sessions: 1 },
    ];
    const perSkill = { a: 1, b: 3, c: 3, d: 2, e: 3, f: 2, h: 2, i: 5, j: 5 };
    const r = skillDependencies({ pairs, sessionsPerSkill: perSkill, totalSessions: 10, minSupport: 0, limit: 20 });
    assert.deepEqual(
      r.rules.map((x) => `${x.antecedent}>${x.consequent}`),
      // Equal lift, support and confidence: by antecedent name (d before f, c before e, i before j), then by consequent name (i before j).
      ['d>c', 'f>e', 'c>d', 'e>f', 'a>b', 'b>a', 'h>i', 'h>j', 'i>h', 'j>h'],
    );
    // Equal lifts are equal numbers.
    assert.equal(new Set(r.rules.slice(0, 6).map((x) => x.lift)).size, 1);
    // Names compare by character code: upper case before lower case, "B" before "a".
    const cased = skillDependencies({
      pairs: [
        { a: 'a', b: 'x', sessions: 1 },
        { a: 'B', b: 'x', sessions: 1 },
      ],
      sessionsPerSkill: { a: 1, B: 1, x: 2 },
      totalSessions: 2,
      minSupport: 0,
      limit: 20,
    });
    assert.deepEqual(
      cased.rules.map((x) => `${x.antecedent}>${x.consequent}`),
      ['B>x', 'a>x', 'x>B', 'x>a'],
    );
  });

  it('filters by support, antecedent and limit, and accepts a Map', () => {
    const map = new Map(Object.entries(PER_SKILL));
    const base = { pairs: PAIRS, sessionsPerSkill: map, totalSessions: 10, limit: 10 };
    assert.deepEqual(
      skillDependencies({ ...base, minSupport: 0.2 }).rules.map((x) => `${x.antecedent}>${x.consequent}`),
      ['deploy>test', 'test>deploy', 'test>lint', 'lint>test'],
    );
    assert.deepEqual(
      skillDependencies({ ...base, minSupport: 0, skill: 'test' }).rules.map((x) => x.consequent),
      ['deploy', 'lint'],
    );
    const limited = skillDependencies({ ...base, minSupport: 0, limit: 1 });
    assert.equal(limited.rules.length, 1);
    assert.equal(limited.rules_matched, 6);
  });

  it('explains empty results and rejects bad input', () => {
    const r = skillDependencies({ pairs: PAIRS, sessionsPerSkill: PER_SKILL, totalSessions: 10, minSupport: 0.5, limit: 5 });
    assert.equal(r.rules.length, 0);
    assert.ok(r.reason);
    assert.equal(skillDependencies({ pairs: [], sessionsPerSkill: {}, totalSessions: 0, minSupport: 0, limit: 5 }).reason, 'no sessions recorded');
    assert.throws(() => skillDependencies({ pairs: PAIRS, sessionsPerSkill: PER_SKILL, totalSessions: 10, minSupport: 2, limit: 5 }), {
      code: 'INVALID_INPUT',
    });
  });
});

describe('relationship and min_lift', () => {
  it('labels lift > 1.1 complements, < 0.9 substitutes, else independent', () => {
    assert.equal(relationshipOf(2.5), 'complements');
    assert.equal(relationshipOf(1.11), 'complements');
    assert.equal(relationshipOf(1.1), 'independent');
    assert.equal(relationshipOf(1), 'independent');
    assert.equal(relationshipOf(0.9), 'independent');
    assert.equal(relationshipOf(0.89), 'substitutes');
    assert.equal(relationshipOf(0.4), 'substitutes');
  });

  it('labels each rule and drops rules below min_lift (lifts from the table above: 2.5, 2.5, 1.5, 1.5, 0.4, 0.4)', () => {
    const base = { pairs: PAIRS, sessionsPerSkill: PER_SKILL, totalSessions: 10, minSupport: 0, limit: 10 };
    assert.deepEqual(
      skillDependencies(base).rules.map((x) => x.relationship),
      ['complements', 'complements', 'complements', 'complements', 'substitutes', 'substitutes'],
    );
    const r = skillDependencies({ ...base, minLift: 1.5 });
    assert.deepEqual(
      r.rules.map((x) => `${x.antecedent}>${x.consequent}`),
      ['deploy>test', 'test>deploy', 'test>lint', 'lint>test'],
    );
    assert.equal(r.rules_matched, 4);
    const none = skillDependencies({ ...base, minLift: 3 });
    assert.equal(none.rules.length, 0);
    assert.equal(none.reason, 'no skill pair co-occurs in at least 0 % of sessions with lift >= 3');
    // min_support is a share of sessions, said as a percentage.
    assert.equal(skillDependencies({ ...base, minSupport: 1 }).reason, 'no skill pair co-occurs in at least 100 % of sessions');
    assert.throws(() => skillDependencies({ ...base, minLift: -1 }), /min_lift/);
  });
});
