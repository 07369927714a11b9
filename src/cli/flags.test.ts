/** The integer and number flag parsers every numeric flag of the CLI goes through. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { intFlag, numberFlag } from './flags.js';

/** The field and rule of the INVALID_INPUT `fn` throws. */
function refused(fn: () => unknown): [unknown, unknown] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError && err.code === 'INVALID_INPUT', String(err));
    return [err.details.field, err.details.rule];
  }
  assert.fail('accepted');
}

describe('intFlag', () => {
  it('takes decimal digits within the bounds', () => {
    assert.equal(intFlag('--n', '0', 0, 10), 0);
    assert.equal(intFlag('--n', '10', 0, 10), 10);
    assert.equal(intFlag('--n', '-3', -5, 5), -3);
    assert.equal(intFlag('--n', '007', 0, 10), 7);
    assert.equal(intFlag('--n', '9007199254740991', 1, Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  });

  it('refuses, naming the flag, the range and the unit, what Number() would turn into another integer or none', () => {
    for (const raw of ['1e300', '1e3', 'Infinity', '0x10', '1.5', '1.0', ' 5', '5 ', '', '-1', '11', 'x', '9007199254740993']) {
      const max = raw === '9007199254740993' ? Number.MAX_SAFE_INTEGER : 10;
      assert.deepEqual(
        refused(() => intFlag('--n', raw, 0, max, 'seconds')),
        ['--n', `must be an integer between 0 and ${max} seconds`],
        raw,
      );
    }
  });
});

describe('numberFlag', () => {
  it('takes decimal numbers with a fraction within the bounds', () => {
    assert.equal(numberFlag('--m', '0.5', 0, 10), 0.5);
    assert.equal(numberFlag('--m', '0', 0, 10), 0);
    assert.equal(numberFlag('--m', '10', 0, 10), 10);
  });

  it('refuses exponents, Infinity, a value out of bounds and, with minExclusive, the minimum', () => {
    for (const raw of ['1e300', 'Infinity', '-1', '10.5', '.5', '0x1', '']) {
      assert.deepEqual(
        refused(() => numberFlag('--m', raw, 0, 10)),
        ['--m', 'must be a number >= 0 and <= 10'],
        raw,
      );
    }
    assert.deepEqual(
      refused(() => numberFlag('--m', '0', 0, 10, 'MiB', { minExclusive: true })),
      ['--m', 'must be a number > 0 and <= 10 MiB'],
    );
  });
});
