/**
 * The claims of an import's ranges, from one thread: in order, each once, never too far past what
 * the importing thread consumed, and past a slot another claimer took without moving the counter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AHEAD, Claims, DONE, IMPORTER } from './scan-claims.js';

describe('Claims', () => {
  it('hands out every range once, in order, to whoever asks, then DONE', () => {
    const claims = new Claims(Claims.board([10, 10, 10, 10], { aheadRanges: 100, aheadBytes: 1000 }));
    assert.equal(claims.claim(1), 0);
    assert.equal(claims.claim(IMPORTER), 1);
    assert.equal(claims.claim(2), 2);
    assert.equal(claims.claim(1), 3);
    assert.equal(claims.claim(1), DONE);
    assert.equal(claims.claim(IMPORTER), DONE);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => claims.owner(i)),
      [1, IMPORTER, 2, 1],
    );
  });

  it('stops at aheadRanges past the first range not consumed, and goes on as ranges are consumed', () => {
    const claims = new Claims(Claims.board([1, 1, 1, 1, 1], { aheadRanges: 2, aheadBytes: 1000 }));
    assert.equal(claims.claim(1), 0);
    assert.equal(claims.claim(1), 1);
    assert.equal(claims.claim(1), AHEAD); // range 2 is 2 past range 0, which is not consumed
    claims.consumed(1);
    assert.equal(claims.claim(1), 2);
    assert.equal(claims.claim(1), AHEAD);
    claims.consumed(3);
    assert.equal(claims.claim(1), 3);
    assert.equal(claims.claim(1), 4);
    assert.equal(claims.claim(1), DONE);
  });

  it('stops at aheadBytes of ranges past the first not consumed; the first not consumed is always claimable', () => {
    const claims = new Claims(Claims.board([500, 700, 100, 100], { aheadRanges: 100, aheadBytes: 1000 }));
    assert.equal(claims.claim(1), 0);
    assert.equal(claims.claim(1), 1); // 500 bytes before it
    assert.equal(claims.claim(1), AHEAD); // 1,200 bytes before it
    claims.consumed(1);
    assert.equal(claims.claim(1), 2); // 700 bytes between range 1 and it
    claims.consumed(2);
    assert.equal(claims.claim(1), 3);
    // One range larger than the limit is still claimed when it is the next to consume.
    const big = new Claims(Claims.board([5000], { aheadRanges: 1, aheadBytes: 1 }));
    assert.equal(big.claim(IMPORTER), 0);
  });

  it('moves past a slot another claimer took without moving the counter (it stopped between the two steps)', () => {
    const board = Claims.board([1, 1, 1], { aheadRanges: 10, aheadBytes: 10 });
    new Int32Array(board.owners)[0] = 7; // a claimer that set range 0's owner and went no further
    const claims = new Claims(board);
    assert.equal(claims.claim(1), 1);
    assert.equal(claims.owner(0), 7);
    assert.equal(claims.owner(1), 1);
  });

  it('claims nothing once stopped, and a waiting worker returns at once', () => {
    const claims = new Claims(Claims.board([1, 1, 1], { aheadRanges: 1, aheadBytes: 10 }));
    assert.equal(claims.claim(1), 0);
    assert.equal(claims.claim(1), AHEAD);
    const started = Date.now();
    claims.waitForConsumed(50); // nothing consumed: returns after the timeout
    assert.ok(Date.now() - started >= 40);
    claims.stop();
    const again = Date.now();
    claims.waitForConsumed(10_000);
    assert.ok(Date.now() - again < 5_000);
    assert.equal(claims.claim(1), DONE);
    assert.equal(claims.claim(IMPORTER), DONE);
  });

  it('shares its state with another view of the same board (as a worker has)', () => {
    const board = Claims.board([1, 1, 1, 1], { aheadRanges: 2, aheadBytes: 100 });
    const here = new Claims(board);
    const there = new Claims(structuredClone(board));
    assert.equal(there.claim(1), 0);
    assert.equal(here.claim(IMPORTER), 1);
    assert.equal(there.claim(1), AHEAD);
    here.consumed(2);
    assert.equal(there.claim(1), 2);
    assert.equal(here.owner(2), 1);
  });
});
