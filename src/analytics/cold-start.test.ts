import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coldStartRecommendations } from './cold-start.js';

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-4, `${actual} != ${expected}`);

describe('coldStartRecommendations', () => {
  // Wilson 95 % lower bounds (z = 1.96, z² = 3.8416):
  //   95/100: (.95 + .019208 − 1.96·sqrt(.000475 + .00009604)) / 1.038416 = (.969208 − .046853) / 1.038416 = .8882
  //   10/10:  (1 + .19208 − 1.96·sqrt(0 + .009604)) / 1.38416 = (1.19208 − .19208) / 1.38416 = .7225
  //   5/10:   (.5 + .19208 − 1.96·sqrt(.025 + .009604)) / 1.38416 = (.69208 − .364608) / 1.38416 = .2366
  const totals = [
    { skill: 'half', invocations: 10, successes: 5, users: 2 },
    { skill: 'perfect-few', invocations: 10, successes: 10, users: 1 },
    { skill: 'never-works', invocations: 7, successes: 0, users: 3 },
    { skill: 'reliable', invocations: 100, successes: 95, users: 4 },
    { skill: 'mine', invocations: 50, successes: 50, users: 1 },
  ];

  it('ranks by the Wilson lower bound, skips skills the user tried and skills that never succeeded', () => {
    const r = coldStartRecommendations({ totals, exclude: new Set(['mine']), minUsers: 1, limit: 10 });
    assert.deepEqual(
      r.map((x) => x.skill_name),
      ['reliable', 'perfect-few', 'half'],
    );
    close(r[0]!.score, 0.8882);
    close(r[1]!.score, 0.7225);
    close(r[2]!.score, 0.2366);
    assert.deepEqual([r[0]!.supporting_users, r[0]!.neighbor_success_rate], [4, 0.95]);
  });

  it('applies the limit and breaks ties by invocations, then name', () => {
    const tied = [
      { skill: 'b', invocations: 4, successes: 4, users: 1 },
      { skill: 'a', invocations: 4, successes: 4, users: 1 },
      { skill: 'c', invocations: 8, successes: 4, users: 1 },
    ];
    assert.deepEqual(
      coldStartRecommendations({ totals: tied, exclude: new Set(), minUsers: 1, limit: 2 }).map((x) => x.skill_name),
      ['a', 'b'],
    );
    assert.deepEqual(coldStartRecommendations({ totals: [], exclude: new Set(), minUsers: 1, limit: 3 }), []);
    assert.throws(() => coldStartRecommendations({ totals, exclude: new Set(), minUsers: 1, limit: 0 }), /limit/);
    assert.throws(() => coldStartRecommendations({ totals, exclude: new Set(), minUsers: 0, limit: 3 }), /min_users/);
  });

  it('recommends only skills at least minUsers (k) users invoked, however many invocations one user records', () => {
    // noisy: one user, 2000/2000: Wilson lower bound 1 / (1 + 3.8416/2000) = .9981, the best of all, but 1 user.
    const withNoisy = [...totals, { skill: 'noisy', invocations: 2000, successes: 2000, users: 1 }];
    assert.equal(coldStartRecommendations({ totals: withNoisy, exclude: new Set(), minUsers: 1, limit: 1 })[0]!.skill_name, 'noisy');
    // k = 2: noisy, perfect-few and mine (1 user each) are withheld; never-works (3 users) never succeeded.
    assert.deepEqual(
      coldStartRecommendations({ totals: withNoisy, exclude: new Set(), minUsers: 2, limit: 10 }).map((x) => [x.skill_name, x.supporting_users]),
      [
        ['reliable', 4],
        ['half', 2],
      ],
    );
    // k = 4: reliable alone (exactly 4 users is enough); k = 5: nothing.
    assert.deepEqual(
      coldStartRecommendations({ totals: withNoisy, exclude: new Set(), minUsers: 4, limit: 10 }).map((x) => x.skill_name),
      ['reliable'],
    );
    assert.deepEqual(coldStartRecommendations({ totals: withNoisy, exclude: new Set(), minUsers: 5, limit: 10 }), []);
  });
});
