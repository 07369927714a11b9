import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandResult, CommandRunner } from '../exec.js';
import type { ProjectContext } from '../project-context.js';
import { auditPoints } from './dependencies.js';
import { createAuditRunner, parseNpmAudit, parsePipAudit } from './audit.js';

const ctx = { root: '/nowhere', exists: () => true } as unknown as ProjectContext;

function runner(result: Partial<CommandResult>, calls: string[][] = []): CommandRunner {
  return async (cmd, args) => {
    calls.push([cmd, ...args]);
    return { ok: false, code: 1, stdout: '', stderr: '', timedOut: false, error: null, ...result };
  };
}

describe('npm audit', () => {
  it('parses metadata.vulnerabilities even when npm exits 1 (it does when it finds some)', async () => {
    const calls: string[][] = [];
    const stdout = JSON.stringify({ metadata: { vulnerabilities: { info: 1, low: 2, moderate: 3, high: 4, critical: 5, total: 15 } } });
    const out = await createAuditRunner(runner({ stdout }, calls))('npm', ctx);
    assert.deepEqual(out, {
      measured: true,
      tool: 'npm audit',
      counts: { critical: 5, high: 4, moderate: 3, low: 3, unrated: 0 },
      total: 15,
    });
    // never --offline: offline npm audit reports zero vulnerabilities without checking
    assert.deepEqual(calls, [['npm', 'audit', '--json', '--package-lock-only']]);
  });

  it('reports a registry error as not measured', async () => {
    const stdout = JSON.stringify({ statusCode: 405, error: { code: 'E405', summary: '' } });
    const out = await createAuditRunner(runner({ stdout }))('npm', ctx);
    assert.equal(out.measured, false);
    assert.ok(!out.measured && /npm audit needs the registry \(E405, HTTP 405\)/.test(out.reason));
  });

  it('reports a timeout and a missing npm as not measured', async () => {
    const t = await createAuditRunner(runner({ timedOut: true, error: 'timed out after 10000 ms' }), 10_000)('npm', ctx);
    assert.ok(!t.measured && /did not answer within 10 s/.test(t.reason));
    const m = await createAuditRunner(runner({ error: 'ENOENT' }))('npm', ctx);
    assert.ok(!m.measured && m.reason === 'npm is not installed');
  });

  it('points: 30 − 15·critical − 8·high − 3·moderate − 1·low, floor 0', () => {
    const a = parseNpmAudit(JSON.stringify({ metadata: { vulnerabilities: { low: 2, moderate: 1 } } }));
    assert.ok(a?.measured);
    assert.equal(auditPoints(a), 25); // 30 − 3 − 2
    const b = parseNpmAudit(JSON.stringify({ metadata: { vulnerabilities: { critical: 1, high: 2 } } }));
    assert.ok(b?.measured);
    assert.equal(auditPoints(b), 0); // 30 − 15 − 16 < 0
  });
});

describe('pip-audit', () => {
  it('counts vulnerabilities across dependencies', () => {
    const out = parsePipAudit(
      JSON.stringify({
        dependencies: [
          { name: 'a', vulns: [{}, {}] },
          { name: 'b', vulns: [] },
        ],
      }),
    );
    assert.ok(out?.measured);
    assert.equal(out.total, 2);
    assert.equal(auditPoints(out), 18); // 30 − 6·2
  });
  it('missing tool is not measured', async () => {
    const out = await createAuditRunner(runner({ error: 'ENOENT' }))('python', ctx);
    assert.ok(!out.measured && out.reason === 'pip-audit is not installed');
  });
});
