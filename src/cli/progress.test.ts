import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress, lazyProgress } from './progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (s: string) => chunks.push(s) };
}

describe('progress bar', () => {
  it('off a terminal writes a few lines, not one per update: quarters reached after a quiet spell, then the final state', () => {
    const out = sink(false);
    let t = 0;
    const bar = createProgress('seeding', 1000, out, { now: () => t, quietMs: 2000 });
    // 1000 updates over 10 s: one every 10 ms.
    for (let done = 1; done <= 1000; done++) {
      t = done * 10;
      bar.update(done);
    }
    bar.finish('done');
    // 25 % at 2.5 s, 50 % at 5 s, 75 % at 7.5 s (each ≥ 2 s after the previous line), then 100 % at the end.
    assert.deepEqual(
      out.chunks.map((c) => /(\d+)% (\d+)\/1000/.exec(c)?.slice(1).join(' ') ?? c),
      ['25 250', '50 500', '75 750', '100 1000', 'done\n'],
    );
  });

  it('off a terminal, a quick run writes only the final line', () => {
    const out = sink(false);
    let t = 0;
    const bar = createProgress('backup', 100, out, { now: () => t });
    for (let p = 0; p <= 100; p += 10) {
      t += 5;
      bar.update(p);
    }
    bar.finish();
    assert.equal(out.chunks.length, 1);
    assert.match(out.chunks[0]!, /^backup \[#{30}\] 100% 100\/100 /);
  });

  it('on a terminal redraws one line at most every 100 ms and always draws the end', () => {
    const out = sink(true);
    let t = 0;
    const bar = createProgress('import', 10, out, { now: () => t });
    bar.update(1); // drawn
    t = 50;
    bar.update(2); // too soon
    t = 150;
    bar.update(3); // drawn
    t = 160;
    bar.update(10); // the end is always drawn
    bar.finish();
    assert.deepEqual(
      out.chunks.map((c) => /(\d+)\/10/.exec(c)?.[1] ?? JSON.stringify(c)),
      ['1', '3', '10', '"\\n"'],
    );
    assert.ok(out.chunks.slice(0, 3).every((c) => c.startsWith('\r')));
  });

  it('made on the first report, with the total it brings; none below the smallest total, nor when nothing is reported', () => {
    const quiet = sink(true);
    const small = lazyProgress('import (bytes)', quiet, 1000);
    small.update(10, 999);
    small.finish();
    lazyProgress('copying', quiet).finish();
    assert.deepEqual(quiet.chunks, []);
    const out = sink(true);
    const bar = lazyProgress('copying', out, 1000);
    bar.update(500, 2000);
    bar.update(2000, 2000);
    bar.finish();
    assert.match(out.chunks[0]!, /^\rcopying \[#{8}-{22}\] {2}25% 500\/2000 /);
    assert.equal(out.chunks.at(-1), '\n');
  });
});
