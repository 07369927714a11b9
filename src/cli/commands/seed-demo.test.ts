/**
 * `seed-demo` run again with the same seed adds nothing (its invocations are
 * keyed like their cost rows, so costs per invocation stay right) and says
 * so, with how to add more; another seed adds more.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-seed-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function seed(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'seed-demo', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Invocations, Skill invocations, and the invocations the cost rows name per attribution, with their API calls. */
function counts() {
  const db = new Database(path.join(dir, 'session-buddy.db'), { readonly: true });
  try {
    const one = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      invocations: one('SELECT count(*) FROM skill_invocations'),
      skillInvocations: one("SELECT count(*) FROM skill_invocations i JOIN skills s ON s.id = i.skill_id WHERE s.name LIKE 'skill:%'"),
      costInvocations: db.prepare('SELECT attribution, count(*) AS n FROM skill_cost_invocations GROUP BY 1 ORDER BY 1').all(),
      apiCalls: one('SELECT count(*) FROM skill_cost_calls'),
      // Every cost row's session is a session of Skill invocations of the same skill.
      strayCosts: one(`SELECT count(*) FROM skill_cost_calls c WHERE NOT EXISTS (SELECT 1 FROM skill_invocations i JOIN skills s ON s.id = i.skill_id
        JOIN sessions se ON se.id = i.session_id WHERE se.session_key = c.session_key AND s.name = c.skill)`),
    };
  } finally {
    db.close();
  }
}

describe('seed-demo', () => {
  it('adds nothing when run again with the same seed, says so and how to add more; costs stay one set per Skill invocation', () => {
    assert.match(seed('--invocations', '3000', '--seed', '5'), /^seeded 3000 invocations \(seed 5\) in .* into .*: 3000 new, 0 already present\n$/);
    const first = counts();
    assert.ok(first.skillInvocations > 20, JSON.stringify(first));
    const perRule = (n: number) => [
      { attribution: 'bounded', n },
      { attribution: 'stamped', n },
    ];
    assert.deepEqual(first.costInvocations, perRule(first.skillInvocations));
    assert.equal(first.strayCosts, 0);

    const again = seed('--invocations', '3000', '--seed', '5');
    assert.match(again, /: 0 new, 3000 already present\n/);
    assert.match(again, /from an earlier run with seed 5 .*; to add more, pass another seed, e.g\. --seed 6\n$/);
    assert.deepEqual(counts(), first);

    // More of the same seed (over another span): the first 3000 are the ones already there, and so are their costs.
    assert.match(seed('--invocations', '4000', '--seed', '5', '--days', '7'), /: 1000 new, 3000 already present\n/);
    const more = counts();
    assert.equal(more.invocations, 4000);
    assert.deepEqual(more.costInvocations, perRule(more.skillInvocations));
    assert.equal(more.strayCosts, 0);

    // Another seed adds its own.
    assert.match(seed('--invocations', '1000', '--seed', '6'), /: 1000 new, 0 already present\n$/);
    const other = counts();
    assert.equal(other.invocations, 5000);
    assert.deepEqual(other.costInvocations, perRule(other.skillInvocations));
  });
  it('refuses a --seed its 32-bit generator cannot tell from another (1e300 would give the data of seed 0), creating nothing', () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-seed-bad-'));
    try {
      for (const seed of ['1e300', '4294967296', '-1', '1.5', 'Infinity']) {
        const r = spawnSync(process.execPath, [BIN, '--data-dir', path.join(fresh, 'data'), 'seed-demo', '--invocations', '5', '--seed', seed], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', HOME: fresh },
          timeout: 60_000,
        });
        assert.deepEqual([r.status, r.stderr], [2, 'error: --seed: must be an integer between 0 and 4294967295 (the generator keeps 32 bits of it)\n'], seed);
      }
      assert.deepEqual(fs.readdirSync(fresh), []);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
