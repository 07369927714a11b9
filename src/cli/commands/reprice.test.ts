/** `session-buddy reprice` as a user runs it: import at the shipped prices, write an override, reprice, and the skill report shows the new cost. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import shipped from '../../analytics/model-prices.json' with { type: 'json' };

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-reprice-cli-'));
const dataDir = path.join(root, 'data');
after(() => fs.rmSync(root, { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: path.join(root, 'home'), CLAUDE_CONFIG_DIR: path.join(root, 'claude') },
    cwd: root,
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const T0 = Date.now() - 2 * 3_600_000;
const ts = (s: number) => new Date(T0 + s * 1000).toISOString();
const assistant = (id: string, s: number, content: unknown[], usage: Record<string, unknown>, stamp?: string) =>
  JSON.stringify({
    type: 'assistant',
    sessionId: 'rp',
    timestamp: ts(s),
    ...(stamp ? { attributionSkill: stamp } : {}),
    message: { id, model: 'claude-sonnet-4-5-20250929', role: 'assistant', content, usage },
  });
const user = (s: number, content: unknown) => JSON.stringify({ type: 'user', sessionId: 'rp', timestamp: ts(s), message: { role: 'user', content } });

/** The one priced call: 500 of its 2000 cache writes with the 1-hour lifetime. */
const TOKENS = { input: 1000, output: 100, cacheWrite: 2000, cacheWrite1h: 500, cacheRead: 10_000 };
const cost = (p: { input: number; output: number; cacheWrite: number; cacheWrite1h?: number; cacheRead: number }) =>
  (TOKENS.input * p.input +
    TOKENS.output * p.output +
    (TOKENS.cacheWrite - TOKENS.cacheWrite1h) * p.cacheWrite +
    TOKENS.cacheWrite1h * (p.cacheWrite1h ?? p.cacheWrite) +
    TOKENS.cacheRead * p.cacheRead) /
  1_000_000;
const OVERRIDE = { input: 2, output: 10, cacheWrite: 2.5, cacheWrite1h: 5, cacheRead: 0.2 };

/** The skill report's stamped and bounded cost of skill:deploy. */
function reportCosts(): [number | null, number | null] {
  const r = run(['skills', '--json', '--days', '7']);
  assert.equal(r.code, 0, r.err);
  const deploy = (JSON.parse(r.out) as { skills: { skill: string; usage: { cost: Record<string, { cost_usd: number | null } | null> } | null }[] }).skills.find(
    (s) => s.skill === 'deploy' || s.skill === 'skill:deploy',
  );
  assert.ok(deploy?.usage, r.out);
  return [deploy.usage.cost.stamped?.cost_usd ?? null, deploy.usage.cost.bounded?.cost_usd ?? null];
}

describe('session-buddy reprice (CLI)', () => {
  it('prices stored calls again with the override written after the import; the report shows the new cost', () => {
    const dir = path.join(root, 'transcripts');
    fs.mkdirSync(dir, { recursive: true });
    const small = { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    fs.writeFileSync(
      path.join(dir, 'rp.jsonl'),
      [
        user(0, 'deploy it'),
        assistant('m1', 1, [{ type: 'tool_use', id: 's1', name: 'Skill', input: { skill: 'deploy' } }], small),
        user(2, [{ type: 'tool_result', tool_use_id: 's1', content: 'loaded' }]),
        assistant(
          'm2',
          3,
          [{ type: 'text', text: 'deploying' }],
          {
            input_tokens: TOKENS.input,
            output_tokens: TOKENS.output,
            cache_creation_input_tokens: TOKENS.cacheWrite,
            cache_creation: { ephemeral_5m_input_tokens: TOKENS.cacheWrite - TOKENS.cacheWrite1h, ephemeral_1h_input_tokens: TOKENS.cacheWrite1h },
            cache_read_input_tokens: TOKENS.cacheRead,
          },
          'deploy',
        ),
        '',
      ].join('\n'),
    );
    const imported = run(['import', dir, '--json']);
    assert.equal(imported.code, 0, imported.err);
    assert.equal(JSON.parse(imported.out).costs.inserted, 2); // m2, stamped and bounded
    const atShipped = cost(shipped.models['claude-sonnet-4-5']);
    const near = (a: number | null, b: number) => a !== null && Math.abs(a - b) < 1e-12;
    assert.ok(
      reportCosts().every((c) => near(c, atShipped)),
      JSON.stringify(reportCosts()),
    );

    // Nothing to change at the same prices.
    const same = run(['reprice', '--json']);
    assert.equal(same.code, 0, same.err);
    assert.deepEqual(JSON.parse(same.out), { priceVersion: shipped.version, calls: 2, changed: 0, approximate: 0, unpriced: 0, telemetry: 0 });

    fs.writeFileSync(path.join(dataDir, 'model-prices.json'), JSON.stringify({ version: 'team', models: { 'claude-sonnet-4-5': OVERRIDE } }));
    const repriced = run(['reprice', '--json']);
    assert.equal(repriced.code, 0, repriced.err);
    assert.deepEqual(JSON.parse(repriced.out), { priceVersion: `${shipped.version}+team`, calls: 2, changed: 2, approximate: 0, unpriced: 0, telemetry: 0 });
    const now = reportCosts();
    assert.ok(
      now.every((c) => near(c, cost(OVERRIDE))),
      JSON.stringify(now),
    );
    assert.notEqual(cost(OVERRIDE), atShipped);

    const plain = run(['reprice']);
    assert.equal(plain.code, 0, plain.err);
    assert.equal(
      plain.out,
      `repriced 2 attribution(s) of API calls to skills (one per call and rule, stamped or bounded) [prices ${shipped.version}+team]: 0 changed\n`,
    );
  });

  it('refuses a malformed override with the error import gives, and changes nothing', () => {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'model-prices.json'), JSON.stringify({ models: { 'claude-sonnet-4-5': { ...OVERRIDE, output: -1 } } }));
    const r = run(['reprice']);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /model-prices\.json.*models\.claude-sonnet-4-5\.output: must be a number >= 0/);
    const i = run(['import', path.join(root, 'transcripts')]);
    assert.equal(i.code, 2);
    assert.equal(r.err, i.err);
    assert.equal(r.out, '');
  });
});
