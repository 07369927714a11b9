import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costFigure, isInstallable, judgeSkill, type JudgeInput, reportName, skillFlags, VERDICT_RULE } from './skill-verdict.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 10);

/** An installed skill that loads, used 20× in 30 days, 18 of them successful. */
function base(over: Partial<JudgeInput> = {}): JudgeInput {
  return {
    installable: true,
    inventoryRead: true,
    installed: true,
    state: 'loaded',
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

const neverUsed = { windowInvocations: 0, usedInWindow: false, lastUsedAt: null, rateInvocations: 0, rateSuccesses: 0 } as const;

describe('skill judgement', () => {
  it('keeps a used, succeeding skill', () => {
    assert.deepEqual(judgeSkill(base()), { flags: [], verdict: 'keep', reason: 'used 20× in the last 30 days, 90% succeeded' });
  });

  it("says so when the figures are one user's (a per-user report)", () => {
    const mine = { byUser: true, windowInvocations: null } as const;
    assert.equal(judgeSkill(base({ ...mine })).reason, 'used by this user in the last 30 days, 90% succeeded');
    assert.equal(
      judgeSkill(base({ ...mine, installed: false, installable: false, usedInWindow: false, lastUsedAt: null, rateInvocations: 0, rateSuccesses: 0 })).reason,
      'not used by this user in the last 30 days; not an installed item',
    );
    assert.equal(
      judgeSkill(base({ ...mine, ...neverUsed, windowInvocations: null })).reason,
      'installed but never used by this user; it adds about 120 tokens to every session',
    );
    assert.equal(judgeSkill(base({ ...mine, rateInvocations: 10, rateSuccesses: 2 })).reason, "fails 80% of this user's 10 invocations");
  });

  it('removes an item that does not load before anything else', () => {
    const j = judgeSkill(base({ state: 'not_loaded', problems: ['unparseable front matter'], duplicates: ['skill:b'], rateSuccesses: 1 }));
    assert.deepEqual(j.flags, ['broken', 'duplicate', 'failing']);
    assert.equal(j.verdict, 'remove');
    assert.equal(j.reason, 'does not load (unparseable front matter): fix it or remove it');
  });

  it('reviews an item that loads with a problem: "fix it", never "cannot load"', () => {
    const j = judgeSkill(base({ problems: ['description longer than 1024 characters'] }));
    assert.deepEqual(j, {
      flags: ['loads_with_problem'],
      verdict: 'review',
      reason: 'loads with a problem (description longer than 1024 characters): fix it',
    });
    // Failing comes first; a never-used item is still removed for its tokens.
    assert.equal(judgeSkill(base({ problems: ['p'], rateSuccesses: 1 })).reason, 'fails 95% of 20 invocations');
    const idle = judgeSkill(base({ problems: ['p'], ...neverUsed }));
    assert.deepEqual([idle.flags, idle.verdict], [['loads_with_problem', 'never_used'], 'remove']);
  });

  it('keeps an item the user turned off: it costs nothing and needs no fix', () => {
    const j = judgeSkill(
      base({ state: 'off', problems: ['turned off in /p/.claude/settings.local.json (disabledMcpjsonServers)'], alwaysLoadedTokens: 0, ...neverUsed }),
    );
    assert.deepEqual(j, {
      flags: ['turned_off', 'never_used'],
      verdict: 'keep',
      reason: 'turned off in /p/.claude/settings.local.json (disabledMcpjsonServers): not loaded, costs nothing',
    });
  });

  it("never removes Session Buddy's own MCP server (state self): it records the others", () => {
    // Right after set-up: installed, never used, its tool list unknown.
    const fresh = judgeSkill(base({ state: 'self', alwaysLoadedTokens: null, ...neverUsed }));
    assert.deepEqual(fresh, { flags: ['never_used'], verdict: 'keep', reason: 'this tool (records the others)' });
    // Not used in the window, rarely used or failing: still kept, never judged on its use.
    const last = Date.UTC(2025, 2, 1, 15);
    for (const over of [
      { windowInvocations: 0, usedInWindow: false, lastUsedAt: last },
      { windowInvocations: 2, rateInvocations: 2, rateSuccesses: 2 },
      { rateInvocations: 10, rateSuccesses: 1 },
    ]) {
      assert.deepEqual([judgeSkill(base({ state: 'self', ...over })).verdict], ['keep']);
    }
    // A second registration that another takes precedence over: kept, and the problem is named.
    const shadowed = judgeSkill(base({ state: 'self', problems: ['not loaded: /p/.mcp.json defines the same name and takes precedence'] }));
    assert.deepEqual([shadowed.flags, shadowed.verdict], [[], 'keep']);
    assert.equal(shadowed.reason, 'this tool (records the others); not loaded: /p/.mcp.json defines the same name and takes precedence');
  });

  it('removes an installed item never used or not used in the window, naming its always-loaded tokens', () => {
    assert.deepEqual(judgeSkill(base(neverUsed)), {
      flags: ['never_used'],
      verdict: 'remove',
      reason: 'installed but never used; it adds about 120 tokens to every session',
    });
    const last = Date.UTC(2025, 2, 1, 15);
    const j = judgeSkill(base({ windowInvocations: 0, usedInWindow: false, lastUsedAt: last, alwaysLoadedTokens: null }));
    assert.deepEqual([j.flags, j.verdict], [['unused'], 'remove']);
    assert.equal(j.reason, 'not used in the last 30 days (last used 2025-03-01); its always-loaded cost is unknown');
  });

  it('reviews a skill used but not installed, without claiming it ever was', () => {
    const j = judgeSkill(base({ installed: false, state: null, windowInvocations: 4, rateInvocations: 4, rateSuccesses: 4 }));
    assert.deepEqual(j, {
      flags: ['not_installed'],
      verdict: 'review',
      reason: 'used 4× in the last 30 days but not installed: install it or stop relying on it',
    });
    // No inventory read: nothing is called not installed.
    assert.deepEqual(skillFlags(base({ installed: false, state: null, inventoryRead: false })), []);
  });

  it('failing needs at least 5 invocations and a success rate below 50%; duplicates and rare use are reviewed', () => {
    assert.equal(judgeSkill(base({ rateInvocations: 10, rateSuccesses: 4, windowInvocations: 10 })).reason, 'fails 60% of 10 invocations');
    assert.deepEqual(skillFlags(base({ rateInvocations: 4, rateSuccesses: 0, windowInvocations: 4 })), []);
    assert.deepEqual(skillFlags(base({ rateInvocations: 10, rateSuccesses: 5, windowInvocations: 10 })), []);
    assert.equal(judgeSkill(base({ duplicates: ['skill:review-pr'] })).reason, 'near-identical description to skill:review-pr: keep one');
    // 30 days: 2 uses are rare (2 × 10 < 30), 3 are not; unknown window count: not judged.
    assert.equal(
      judgeSkill(base({ windowInvocations: 2, rateInvocations: 2, rateSuccesses: 2 })).reason,
      'used 2× in the last 30 days (rarely) while it adds about 120 tokens to every session',
    );
    assert.deepEqual(skillFlags(base({ windowInvocations: 3 })), []);
    assert.deepEqual(skillFlags(base({ windowInvocations: null })), []);
  });

  it('judges names that cannot be installed on failing only', () => {
    const tool = base({ installable: false, installed: false, state: null, problems: ['x'], duplicates: ['y'] });
    assert.deepEqual(judgeSkill(tool).flags, []);
    assert.equal(judgeSkill({ ...tool, rateSuccesses: 2 }).verdict, 'review');
  });

  it('the rule in words names every flag in verdict order', () => {
    assert.match(
      VERDICT_RULE,
      /broken → remove; turned_off → keep; inventory state self \(Session Buddy's own MCP server, recognised by its command\) → keep; never_used or unused → remove; not_installed → review; failing → review; loads_with_problem → review; duplicate → review; rarely_used → review; otherwise keep/,
    );
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
