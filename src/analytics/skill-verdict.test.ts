import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costFigure, isInstallable, judgeSkill, reportName, skillFlags, type VerdictInput } from './skill-verdict.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 10);

/** An installed skill used 20× in 30 days, 18 of them successful. */
function base(over: Partial<VerdictInput> = {}): VerdictInput {
  return {
    installable: true,
    inventoryRead: true,
    installed: true,
    problems: [],
    duplicates: [],
    windowInvocations: 20,
    usedInWindow: true,
    lastUsedAt: NOW - DAY,
    rateInvocations: 20,
    rateSuccesses: 18,
    alwaysLoadedTokens: 120,
    days: 30,
    ...over,
  };
}

describe('skill verdict', () => {
  it('keeps a used, succeeding skill', () => {
    const j = judgeSkill(base());
    assert.deepEqual(j.flags, []);
    assert.equal(j.verdict, 'keep');
    assert.equal(j.reason, 'used 20× in the last 30 days, 90% succeeded');
  });

  it('removes a broken item before anything else', () => {
    const j = judgeSkill(base({ problems: ['front matter is not YAML'], duplicates: ['skill:b'], rateSuccesses: 1 }));
    assert.deepEqual(j.flags, ['broken', 'duplicate', 'failing']);
    assert.equal(j.verdict, 'remove');
    assert.equal(j.reason, 'cannot load (front matter is not YAML): fix it or remove it');
  });

  it('removes an installed item never used, naming its always-loaded tokens', () => {
    const j = judgeSkill(base({ windowInvocations: 0, usedInWindow: false, lastUsedAt: null, rateInvocations: 0, rateSuccesses: 0 }));
    assert.deepEqual(j.flags, ['never_used']);
    assert.equal(j.verdict, 'remove');
    assert.equal(j.reason, 'installed but never used; it adds about 120 tokens to every session');
  });

  it('removes an installed item not used in the window, with the date of its last use', () => {
    const last = Date.UTC(2025, 2, 1, 15);
    const j = judgeSkill(base({ windowInvocations: 0, usedInWindow: false, lastUsedAt: last, alwaysLoadedTokens: null }));
    assert.deepEqual(j.flags, ['unused']);
    assert.equal(j.verdict, 'remove');
    assert.equal(j.reason, 'not used in the last 30 days (last used 2025-03-01); its always-loaded cost is unknown');
  });

  it('reviews a skill used but no longer installed', () => {
    const j = judgeSkill(base({ installed: false, windowInvocations: 4, rateInvocations: 4, rateSuccesses: 4 }));
    assert.deepEqual(j.flags, ['not_installed']);
    assert.equal(j.verdict, 'review');
    assert.equal(j.reason, 'used 4× in the last 30 days but no longer installed: reinstall it or stop relying on it');
  });

  it('does not call anything not installed when no inventory was read', () => {
    const j = judgeSkill(base({ installed: false, inventoryRead: false }));
    assert.deepEqual(j.flags, []);
    assert.equal(j.verdict, 'keep');
  });

  it('failing needs at least 5 invocations and a success rate below 50%', () => {
    // 4 of 10 succeed: 60% fail.
    const j = judgeSkill(base({ rateInvocations: 10, rateSuccesses: 4, windowInvocations: 10 }));
    assert.deepEqual(j.flags, ['failing']);
    assert.equal(j.verdict, 'review');
    assert.equal(j.reason, 'fails 60% of 10 invocations');
    // 0 of 4: too few to judge.
    assert.deepEqual(skillFlags(base({ rateInvocations: 4, rateSuccesses: 0, windowInvocations: 4 })), []);
    // 5 of 10 exactly 50%: not below.
    assert.deepEqual(skillFlags(base({ rateInvocations: 10, rateSuccesses: 5, windowInvocations: 10 })), []);
  });

  it('reviews duplicates, naming the other item', () => {
    const j = judgeSkill(base({ duplicates: ['skill:review-pr'] }));
    assert.deepEqual(j.flags, ['duplicate']);
    assert.equal(j.verdict, 'review');
    assert.equal(j.reason, 'near-identical description to skill:review-pr: keep one');
  });

  it('rarely used: fewer than one use per 10 days of the window', () => {
    // 30 days: 2 uses are rare (2 × 10 < 30), 3 are not (3 × 10 = 30).
    const j = judgeSkill(base({ windowInvocations: 2, rateInvocations: 2, rateSuccesses: 2 }));
    assert.deepEqual(j.flags, ['rarely_used']);
    assert.equal(j.verdict, 'review');
    assert.equal(j.reason, 'used 2× in the last 30 days (rarely) while it adds about 120 tokens to every session');
    assert.deepEqual(skillFlags(base({ windowInvocations: 3 })), []);
    // Unknown window count (per-user reports): not judged.
    assert.deepEqual(skillFlags(base({ windowInvocations: null })), []);
  });

  it('judges names that cannot be installed on failing only', () => {
    const tool = base({ installable: false, installed: false, problems: ['x'], duplicates: ['y'] });
    assert.deepEqual(judgeSkill(tool).flags, []);
    assert.equal(judgeSkill(tool).verdict, 'keep');
    assert.equal(judgeSkill({ ...tool, rateSuccesses: 2 }).verdict, 'review');
  });
});

describe('skill cost figures', () => {
  it('divides by the window invocations', () => {
    // 0.3 USD and 9000 tokens over 4 invocations: 0.075 USD and 2250 tokens each.
    assert.deepEqual(costFigure({ costUsd: 0.3, unpricedCalls: 0, tokens: 9000 }, 4), {
      costUsd: 0.3,
      costPerInvocationUsd: 0.075,
      tokens: 9000,
      tokensPerInvocation: 2250,
    });
  });

  it('is unknown, not a partial sum, when a call had no price', () => {
    assert.deepEqual(costFigure({ costUsd: 0.3, unpricedCalls: 1, tokens: 9000 }, 4), {
      costUsd: null,
      costPerInvocationUsd: null,
      tokens: 9000,
      tokensPerInvocation: 2250,
    });
  });

  it('has no per-invocation figure without invocations', () => {
    assert.deepEqual(costFigure({ costUsd: 0.3, unpricedCalls: 0, tokens: 10 }, 0), {
      costUsd: 0.3,
      costPerInvocationUsd: null,
      tokens: 10,
      tokensPerInvocation: null,
    });
  });
});

describe('report names', () => {
  it('counts MCP tools under their server', () => {
    assert.equal(reportName('mcp__github__create_issue'), 'mcp:github');
    assert.equal(reportName('mcp__my_srv__do__it'), 'mcp:my_srv');
    // A plugin's server, as the inventory names it (`plugin_<plugin>_<server>`).
    assert.equal(reportName('mcp__plugin_lint_eslint__run'), 'mcp:plugin_lint_eslint');
    assert.equal(reportName('skill:review'), 'skill:review');
    assert.equal(reportName('skill:pdf'), 'skill:pdf');
    assert.equal(reportName('Read'), 'Read');
  });

  it('knows which names an inventory can list', () => {
    assert.equal(isInstallable('skill:pdf'), true);
    assert.equal(isInstallable('agent:explorer'), true);
    assert.equal(isInstallable('agent:Explore'), false);
    assert.equal(isInstallable('agent:general-purpose'), false);
    assert.equal(isInstallable('mcp:github'), true);
    assert.equal(isInstallable('Bash'), false);
    assert.equal(isInstallable('skill:'), false);
  });
});
