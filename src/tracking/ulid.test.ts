/**
 * ULIDs within one millisecond: the random part is incremented, carrying from byte to byte, and the
 * id's cached head follows a carry. Expected ids are written out by hand (Crockford base32).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUlidFactory } from './ulid.js';

const bytes = (...last: number[]) => {
  const b = new Uint8Array(10);
  b.set(last, 10 - last.length);
  return b;
};

describe('createUlidFactory', () => {
  it('increments the random part within a millisecond, carrying into the bytes before', () => {
    // Random part 0x3FF: the last two characters are ZZ; +1 carries into byte 8 (0x400 = 32²).
    const next = createUlidFactory(() => bytes(3, 255));
    assert.equal(next(0), `${'0'.repeat(10)}00000000000000ZZ`);
    assert.equal(next(0), `${'0'.repeat(10)}0000000000000100`);
    assert.equal(next(0), `${'0'.repeat(10)}0000000000000101`);
  });

  it('keeps the millisecond when the clock goes back, and wraps an all-ones random part to zero', () => {
    const next = createUlidFactory(() => new Uint8Array(10).fill(255));
    // 32 ms: time "0000000010"; 80 one-bits: sixteen Z.
    assert.equal(next(32), `0000000010${'Z'.repeat(16)}`);
    assert.equal(next(31), `0000000010${'0'.repeat(16)}`);
    assert.equal(next(32), `0000000010${'0'.repeat(15)}1`);
  });

  it('draws a new random part in a new millisecond', () => {
    let draws = 0;
    const next = createUlidFactory(() => bytes(++draws));
    assert.equal(next(1), '0000000001' + '0000000000000001');
    assert.equal(next(2), '0000000002' + '0000000000000002');
  });
});
