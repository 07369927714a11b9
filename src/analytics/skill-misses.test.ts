import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  activationShares,
  isSlashAfterMiss,
  newActivationLog,
  noteActivation,
  notePrompt,
  type SessionEvent,
  sessionActivationShares,
  triggerSeries,
} from './skill-misses.js';

const P: SessionEvent = { kind: 'prompt' };
const typed = (skill: string): SessionEvent => ({ kind: 'activation', skill, trigger: 'typed' });
const model = (skill: string): SessionEvent => ({ kind: 'activation', skill, trigger: 'model' });

describe('isSlashAfterMiss', () => {
  it('is never true at the first prompt', () => {
    assert.equal(isSlashAfterMiss(1, []), false);
  });
  it('is true when an earlier prompt in the window did not use the skill', () => {
    assert.equal(isSlashAfterMiss(2, []), true);
    assert.equal(isSlashAfterMiss(4, [1, 2]), true); // prompt 3 missed it
  });
  it('is false when every prompt in the window used the skill', () => {
    assert.equal(isSlashAfterMiss(2, [1]), false);
    assert.equal(isSlashAfterMiss(5, [2, 3, 4]), false);
  });
  it('only looks K prompts back', () => {
    // K = 1: only prompt 4 counts, and it used the skill.
    assert.equal(isSlashAfterMiss(5, [4], 1), false);
    assert.equal(isSlashAfterMiss(5, [3], 1), true);
  });
});

describe('noteActivation', () => {
  it('keeps at most K + 1 prompt numbers per skill and none twice', () => {
    const log = newActivationLog();
    for (let i = 0; i < 6; i++) {
      notePrompt(log);
      noteActivation(log, 'skill:x', 'model');
      noteActivation(log, 'skill:x', 'model');
    }
    assert.deepEqual(log.recent['skill:x'], [3, 4, 5, 6]);
  });
  it('returns null for model activations', () => {
    const log = newActivationLog();
    notePrompt(log);
    assert.equal(noteActivation(log, 'skill:x', 'model'), null);
  });
  it('takes a typed activation before any prompt as prompt 1', () => {
    const log = newActivationLog();
    assert.equal(noteActivation(log, 'skill:x', 'typed'), false);
    assert.equal(log.prompt, 1);
  });
});

describe('sessionActivationShares', () => {
  it('counts shares and candidate misses per skill (hand-computed)', () => {
    // Session 1: prompt 1 plain; prompt 2 = /review (miss: prompt 1 had no review);
    //            prompt 3 model review; prompt 4 = /review (prompts 1..3: 1 had none -> miss).
    // Session 2: prompt 1 = /review (first prompt: no miss); prompt 2 = /deploy (prompt 1 had no deploy -> miss);
    //            prompt 3 model deploy.
    const s1 = [P, P, typed('skill:review'), P, model('skill:review'), P, typed('skill:review')];
    const s2 = [P, typed('skill:review'), P, typed('skill:deploy'), P, model('skill:deploy')];
    assert.deepEqual(sessionActivationShares([s1, s2]), [
      { skill: 'skill:deploy', model: 1, typed: 1, automatic_share: 0.5, typed_share: 0.5, candidate_misses: 1 },
      { skill: 'skill:review', model: 1, typed: 3, automatic_share: 0.25, typed_share: 0.75, candidate_misses: 2 },
    ]);
  });
  it('does not count a slash when every prompt of the window used the skill', () => {
    // prompts 1..3 each use x automatically, prompt 4 types /x: window 1..3 all used x.
    const s = [P, model('x'), P, model('x'), P, model('x'), P, typed('x')];
    assert.equal(sessionActivationShares([s])[0]!.candidate_misses, 0);
  });
});

describe('activationShares', () => {
  it('sums rollup rows and leaves shares null without activations', () => {
    const rows = activationShares([
      { skill: 'a', trigger: 'model', invocations: 3, slashAfterMiss: 0 },
      { skill: 'a', trigger: 'typed', invocations: 1, slashAfterMiss: 1 },
      { skill: 'b', trigger: 'typed', invocations: 0, slashAfterMiss: 0 },
    ]);
    assert.deepEqual(rows, [
      { skill: 'a', model: 3, typed: 1, automatic_share: 0.75, typed_share: 0.25, candidate_misses: 1 },
      { skill: 'b', model: 0, typed: 0, automatic_share: null, typed_share: null, candidate_misses: 0 },
    ]);
  });
});

describe('triggerSeries', () => {
  it('puts rollup rows into day buckets per trigger', () => {
    const H = 3_600_000;
    const day0 = Date.UTC(2026, 0, 5);
    const rows = [
      { hour: day0 / H + 1, trigger: 'model' as const, invocations: 2, slashAfterMiss: 0 },
      { hour: day0 / H + 5, trigger: 'typed' as const, invocations: 3, slashAfterMiss: 1 },
      { hour: day0 / H + 30, trigger: 'typed' as const, invocations: 1, slashAfterMiss: 1 },
      { hour: day0 / H + 80, trigger: 'model' as const, invocations: 9, slashAfterMiss: 0 }, // outside
    ];
    assert.deepEqual(triggerSeries(rows, 24 * H, day0, day0 + 2 * 24 * H), [
      { bucket_start: '2026-01-05T00:00:00.000Z', model: 2, typed: 3, slash_after_miss: 1 },
      { bucket_start: '2026-01-06T00:00:00.000Z', model: 0, typed: 1, slash_after_miss: 1 },
    ]);
  });
});
