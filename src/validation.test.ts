import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { AppError } from './errors.js';
import { parseInput } from './validation.js';

const item = z.object({ skill_name: z.string(), user_id: z.string(), phase: z.enum(['testing', 'review']).optional() }).strict();
const withEnum = z.object({ phase: z.enum(['testing', 'review']) }).strict();
const batch = z.object({ invocations: z.array(item) }).strict();

function errorOf(value: unknown): AppError {
  try {
    parseInput(batch, value);
  } catch (err) {
    assert.ok(err instanceof AppError);
    return err;
  }
  assert.fail('parsed');
}

describe('parseInput', () => {
  it('says a missing field is required', () => {
    const e = errorOf({ invocations: [{ user_id: 'u' }] });
    assert.deepEqual([e.details.field, e.details.rule], ['invocations.0.skill_name', 'is required']);
  });

  it('says a missing enum field is required, not "invalid option"', () => {
    assert.throws(
      () => parseInput(withEnum, {}),
      (e: AppError) => e.details.field === 'phase' && e.details.rule === 'is required',
    );
    // A present but wrong value still names the rule.
    assert.throws(
      () => parseInput(withEnum, { phase: 'nap' }),
      (e: AppError) => e.details.field === 'phase' && /must be one of/.test(String(e.details.rule)),
    );
  });

  it('says in words what an enum or a type wants, not zod\'s own "Invalid option" / "Invalid input" text', () => {
    assert.equal(errorOf({ invocations: [{ skill_name: 'x', user_id: 'u', phase: 'nap' }] }).message, 'invocations.0.phase: must be one of testing, review');
    assert.equal(errorOf({ invocations: [{ skill_name: 5, user_id: 'u' }] }).message, 'invocations.0.skill_name: must be a string, not a number');
    assert.equal(errorOf({ invocations: 'all' }).message, 'invocations: must be an array, not a string');
    assert.equal(errorOf({ invocations: [null] }).message, 'invocations.0: must be an object, not null');
    const flag = z.object({ done: z.boolean(), mode: z.literal('fast') }).strict();
    assert.throws(
      () => parseInput(flag, { done: 'yes', mode: 'slow' }),
      (e: AppError) =>
        JSON.stringify(e.details.issues) ===
        JSON.stringify([
          { field: 'done', rule: 'must be true or false, not a string' },
          { field: 'mode', rule: 'must be fast' },
        ]),
    );
  });

  it("keeps a rule the schema words itself, and says a fraction 'must be an integer'", () => {
    const own = z.object({ n: z.number({ error: 'must be a count' }).int({ error: 'must be a whole count' }), m: z.number().int() }).strict();
    assert.throws(
      () => parseInput(own, { n: 'x', m: 1.5 }),
      (e: AppError) =>
        JSON.stringify(e.details.issues) ===
        JSON.stringify([
          { field: 'n', rule: 'must be a count' },
          { field: 'm', rule: 'must be an integer' },
        ]),
    );
    assert.throws(
      () => parseInput(own, { n: 1.5, m: 1 }),
      (e: AppError) => e.details.field === 'n' && e.details.rule === 'must be a whole count',
    );
  });

  it('names a misspelt key first, with the missing field it was meant to be', () => {
    const e = errorOf({ invocations: [{ skil_name: 'x', user_id: 'u' }] });
    assert.equal(e.message, "invocations.0.skil_name: unknown key; did you mean 'skill_name'?");
    assert.deepEqual(e.details.issues, [
      { field: 'invocations.0.skil_name', rule: "unknown key; did you mean 'skill_name'?" },
      { field: 'invocations.0.skill_name', rule: 'is required' },
    ]);
    // Nothing missing to suggest: only the key is named.
    assert.equal(errorOf({ invocations: [{ skill_name: 'x', user_id: 'u', colour: 1, size: 2 }] }).message, 'invocations.0.colour: unknown key (and size)');
  });
});
