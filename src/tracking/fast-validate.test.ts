import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CanonicalInvocationCheck } from './fast-validate.js';
import { invocationInputSchema } from './invocation-input.js';

const isCanonicalInvocation = (v: unknown) => new CanonicalInvocationCheck().accepts(v);

function prng(seed: number) {
  let a = seed >>> 0;
  return () => (a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const VALUES: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'ok',
  ' padded ',
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(257),
  'a\u0000b',
  'tab\there',
  '\u0085',
  'émoji ☃',
  'pair 😀',
  'lone \uD800',
  '\uDE00tail',
  'x\uDBFF',
  0,
  -1,
  1.5,
  86_400_000,
  86_400_001,
  Number.MAX_SAFE_INTEGER,
  2 ** 60,
  NaN,
  Infinity,
  true,
  false,
  'testing',
  'planning',
  'lunch',
  '2026-11-20T12:00:00Z',
  [],
  {},
  { a: 1 },
  [1],
];
const FIELDS = [
  'skill_name',
  'user_id',
  'session_id',
  'workflow_phase',
  'completed',
  'duration_ms',
  'error_type',
  'invoked_at',
  'project',
  'agent',
  'metadata',
  'dedupe_key',
  'extra',
];
const BASE = { skill_name: 's', user_id: 'u', session_id: 'x', workflow_phase: 'testing', completed: true, duration_ms: 5 };

describe('fast invocation validation', () => {
  it('accepts canonical input', () => {
    assert.equal(isCanonicalInvocation(BASE), true);
    assert.equal(isCanonicalInvocation({ ...BASE, invoked_at: 1_700_000_000_000, metadata: { k: 'v' }, error_type: null }), true);
  });

  it('rejects lone UTF-16 surrogates in names on both paths, keeps well-formed pairs', () => {
    for (const bad of ['a\uD800', '\uDC00b', 'x\uDBFFy', 'skill\uD83D']) {
      for (const field of ['skill_name', 'user_id', 'session_id', 'project', 'agent', 'error_type', 'dedupe_key']) {
        // (An error class goes with a failed invocation: with `completed: true` it breaks a second rule.)
        const input = { ...BASE, ...(field === 'error_type' ? { completed: false } : {}), [field]: bad };
        assert.equal(isCanonicalInvocation(input), false, `fast path accepted ${field}=${JSON.stringify(bad)}`);
        const parsed = invocationInputSchema.safeParse(input);
        assert.equal(parsed.success, false, `schema accepted ${field}=${JSON.stringify(bad)}`);
        assert.deepEqual(
          parsed.error?.issues.map((i) => [i.path.join('.'), i.message]),
          [[field, 'must not contain lone UTF-16 surrogates']],
        );
      }
    }
    assert.equal(isCanonicalInvocation({ ...BASE, skill_name: 'smile-😀' }), true);
    assert.equal(invocationInputSchema.safeParse({ ...BASE, skill_name: 'smile-😀' }).success, true);
  });

  it('never accepts what the schema rejects, and accepted input passes the schema unchanged (20,000 generated inputs)', () => {
    const rand = prng(11);
    // One check for all inputs, as a Tracker keeps it: what it remembers of one input must not let a later one through.
    const check = new CanonicalInvocationCheck();
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const input: Record<string, unknown> = { ...BASE };
      const mutations = 1 + Math.floor(rand() * 3);
      for (let m = 0; m < mutations; m++) {
        const field = FIELDS[Math.floor(rand() * FIELDS.length)]!;
        const value = VALUES[Math.floor(rand() * VALUES.length)];
        if (value === undefined && rand() < 0.5) delete input[field];
        else input[field] = value;
      }
      if (!check.accepts(input)) continue;
      accepted++;
      const parsed = invocationInputSchema.safeParse(input);
      assert.ok(parsed.success, `fast path accepted what the schema rejects: ${JSON.stringify(input)}`);
      assert.deepEqual(parsed.data, input);
    }
    assert.ok(accepted > 1000, `only ${accepted} generated inputs were canonical`);
  });
});
