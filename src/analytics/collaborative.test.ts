import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REASON_NO_NEIGHBOURS, REASON_NO_SUCCESSES, REASON_NOTHING_NEW, UserSkillIndex, reasonNothingNewForK, recommendSkills } from './collaborative.js';
import type { UserSkillStat } from './types.js';

function row(user: string, skill: string, invocations: number, successes: number): UserSkillStat {
  return { user, skill, invocations, successes, lastAt: 0 };
}

/*
 * Successful skill sets (successes > 0):
 *   t:  {a, b, c}          (also tried d: 2 invocations, 0 successes)
 *   u1: {a, b, c, e}       Jaccard(t,u1) = |{a,b,c}| / |{a,b,c,e}| = 3/4
 *   u2: {a, e, f}          Jaccard(t,u2) = |{a}| / |{a,b,c,e,f}|   = 1/5
 *   u3: {x, y}             Jaccard(t,u3) = 0 -> never a neighbour
 *   u4: {a, b, d}          Jaccard(t,u4) = |{a,b}| / |{a,b,c,d}|   = 2/4 = 1/2
 *                          (u4 also tried f: 3 invocations, 0 successes)
 * Success rates: u1 e 4/5; u2 e 1/1, f 1/2; u4 d 1/1, f 0/3.
 */
const STATS: UserSkillStat[] = [
  row('t', 'a', 3, 3),
  row('t', 'b', 2, 1),
  row('t', 'c', 1, 1),
  row('t', 'd', 2, 0),
  row('u1', 'a', 1, 1),
  row('u1', 'b', 1, 1),
  row('u1', 'c', 1, 1),
  row('u1', 'e', 5, 4),
  row('u2', 'a', 1, 1),
  row('u2', 'e', 1, 1),
  row('u2', 'f', 2, 1),
  row('u3', 'x', 1, 1),
  row('u3', 'y', 1, 1),
  row('u4', 'a', 1, 1),
  row('u4', 'b', 1, 1),
  row('u4', 'd', 1, 1),
  row('u4', 'f', 3, 0),
];

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

describe('recommendSkills', () => {
  it('scores untried skills by similarity-weighted neighbour success', () => {
    const r = recommendSkills({ target: 't', stats: STATS, limit: 10 });
    // Neighbours u1 (3/4), u4 (1/2), u2 (1/5); Σ similarity = 0.75 + 0.5 + 0.2 = 1.45.
    assert.equal(r.neighbors_considered, 3);
    assert.equal(r.target_skill_count, 3);
    assert.equal(r.reason, undefined);
    // d was tried by t (unsuccessfully), so it is not recommended.
    assert.deepEqual(
      r.recommendations.map((x) => x.skill_name),
      ['e', 'f'],
    );
    const [e, f] = r.recommendations;
    // e: (3/4 · 4/5 + 1/5 · 1) / 1.45 = 0.8 / 1.45; neighbours' rate (4 + 1) / (5 + 1) = 5/6.
    close(e!.score, 0.8 / 1.45);
    assert.equal(e!.supporting_users, 2);
    close(e!.neighbor_success_rate, 5 / 6);
    // f: (1/5 · 1/2) / 1.45 = 0.1 / 1.45; only u2 succeeded; rate (1 + 0) / (2 + 3) = 1/5.
    close(f!.score, 0.1 / 1.45);
    assert.equal(f!.supporting_users, 1);
    close(f!.neighbor_success_rate, 1 / 5);
  });

  it('never reveals other users', () => {
    const json = JSON.stringify(recommendSkills({ target: 't', stats: STATS, limit: 10 }));
    for (const user of ['u1', 'u2', 'u3', 'u4']) assert.ok(!json.includes(user));
  });

  it('honours maxNeighbors, minSimilarity and limit', () => {
    // Top 2: u1 (3/4), u4 (1/2); Σ = 1.25. e: 3/4 · 4/5 / 1.25 = 0.48. f: u4 never succeeded -> not recommended.
    const top2 = recommendSkills({ target: 't', stats: STATS, limit: 10, maxNeighbors: 2 });
    assert.equal(top2.neighbors_considered, 2);
    assert.deepEqual(
      top2.recommendations.map((x) => x.skill_name),
      ['e'],
    );
    close(top2.recommendations[0]!.score, 0.48);
    assert.equal(top2.recommendations[0]!.supporting_users, 1);
    close(top2.recommendations[0]!.neighbor_success_rate, 4 / 5);

    // Exclusive threshold 0.5 keeps only u1: e = (3/4 · 4/5) / (3/4) = 0.8.
    const strict = recommendSkills({ target: 't', stats: STATS, limit: 10, minSimilarity: 0.5 });
    assert.equal(strict.neighbors_considered, 1);
    close(strict.recommendations[0]!.score, 0.8);

    const one = recommendSkills({ target: 't', stats: STATS, limit: 1 });
    assert.equal(one.recommendations.length, 1);
    assert.equal(one.recommendations[0]!.skill_name, 'e');
  });

  it('recommends only skills at least minSupportingUsers (k) neighbours used successfully', () => {
    // e has 2 supporters (u1, u2), f 1 (u2; u4 only failed it). k = 2 withholds f; the scores still divide by the
    // similarity of all neighbours: e = 0.8 / 1.45 as without k.
    const k2 = recommendSkills({ target: 't', stats: STATS, limit: 10, minSupportingUsers: 2 });
    assert.deepEqual(
      k2.recommendations.map((x) => [x.skill_name, x.supporting_users]),
      [['e', 2]],
    );
    close(k2.recommendations[0]!.score, 0.8 / 1.45);
    close(k2.recommendations[0]!.neighbor_success_rate, 5 / 6);
    assert.equal(k2.neighbors_considered, 3);
    assert.equal(k2.reason, undefined);
    // k = 3: no skill has 3 supporters. The reason does not say whether one was withheld.
    const k3 = recommendSkills({ target: 't', stats: STATS, limit: 10, minSupportingUsers: 3 });
    assert.deepEqual(k3.recommendations, []);
    assert.equal(k3.reason, reasonNothingNewForK(3));
    assert.equal(k3.reason, 'no skill this user has not tried is used successfully by at least 3 similar users');
    assert.equal(k3.neighbors_considered, 3);
    assert.throws(() => recommendSkills({ target: 't', stats: STATS, limit: 5, minSupportingUsers: 0 }), { code: 'INVALID_INPUT' });
  });

  it('explains empty results', () => {
    assert.equal(recommendSkills({ target: 'nobody', stats: STATS, limit: 5 }).reason, REASON_NO_SUCCESSES);
    const failing = [...STATS, row('z', 'a', 4, 0)];
    assert.equal(recommendSkills({ target: 'z', stats: failing, limit: 5 }).reason, REASON_NO_SUCCESSES);
    const lonely = [...STATS, row('w', 'q', 1, 1)];
    const r = recommendSkills({ target: 'w', stats: lonely, limit: 5 });
    assert.equal(r.reason, REASON_NO_NEIGHBOURS);
    assert.equal(r.target_skill_count, 1);
    // u3's only neighbour would be a user with the same set {x, y}: nothing new to suggest.
    const twin = [...STATS, row('v', 'x', 1, 1), row('v', 'y', 2, 2)];
    assert.equal(recommendSkills({ target: 'v', stats: twin, limit: 5 }).reason, REASON_NOTHING_NEW);
  });

  it('rejects bad options', () => {
    assert.throws(() => recommendSkills({ target: 't', stats: STATS, limit: 0 }), { code: 'INVALID_INPUT' });
    assert.throws(() => recommendSkills({ target: 't', stats: STATS, limit: 5, minSimilarity: 1 }), {
      code: 'INVALID_INPUT',
    });
  });
});

describe('UserSkillIndex', () => {
  it('gives the same answer when built from invocation deltas', () => {
    const index = new UserSkillIndex();
    for (const s of STATS) {
      for (let i = 0; i < s.invocations; i++) index.update({ user: s.user, skill: s.skill, completed: i < s.successes });
    }
    assert.equal(index.userCount, 5);
    assert.deepEqual(index.recommend('t', 10), recommendSkills({ target: 't', stats: STATS, limit: 10 }));
  });

  it('reacts to new successes', () => {
    const index = new UserSkillIndex();
    for (const s of STATS) index.add(s);
    // u3 succeeds with a: Jaccard(t,u3) = |{a}| / |{a,b,c,x,y}| = 1/5, and brings x, y.
    index.update({ user: 'u3', skill: 'a', completed: true, at: 10 });
    const r = index.recommend('t', 10);
    assert.equal(r.neighbors_considered, 4);
    // Σ = 0.75 + 0.5 + 0.2 + 0.2 = 1.65; x: 1/5 · 1 / 1.65.
    const x = r.recommendations.find((rec) => rec.skill_name === 'x');
    close(x!.score, 0.2 / 1.65);
    // t tries e once (failing): e is no longer recommended.
    index.update({ user: 't', skill: 'e', completed: false });
    assert.ok(!index.recommend('t', 10).recommendations.some((rec) => rec.skill_name === 'e'));
  });
});
