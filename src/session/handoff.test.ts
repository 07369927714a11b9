import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { removeDir, tempDir } from './fixture-projects.js';
import { findLatestHandoff, handoffBaseName, projectSlug, writeHandoff, type HandoffRecord } from './handoff.js';

function record(endedAt: string, workingDirectory = '/p/app', sessionId = `s-${endedAt}`): Omit<HandoffRecord, 'markdownFile'> {
  return {
    version: 1,
    sessionId,
    project: '@scope/My App',
    projectTypes: ['node'],
    workingDirectory,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt,
    git: { isRepo: false, branch: null, headAtStart: null, headAtEnd: null },
    quality: { start: 50, end: 55.5, delta: 5.5, maturity: 'developing' },
    dimensions: [{ id: 'tests', label: 'Tests', start: 40, end: 60 }],
    commits: null,
    uncommittedChanges: null,
    workNote: 'not a git repository',
    checkpoints: 0,
    sessionMetrics: null,
    sessionMetricsNote: 'the skill store is not connected',
    openRecommendations: [{ priority: 'high', text: 'Add tests', dimension: 'tests', gain: 10 }],
  };
}

describe('handoff files', () => {
  it('names files by project slug, end time and session id', () => {
    assert.equal(projectSlug('@scope/My App'), 'scope-my-app');
    assert.equal(projectSlug('***'), 'project');
    assert.equal(handoffBaseName({ project: 'x', endedAt: '2026-01-02T03:04:05.678Z', sessionId: 'ab-cd-ef-gh-ij' }), 'x-20260102-030405-abcdefgh');
  });

  it('finds the newest handoff of the same directory only, and prunes old ones', () => {
    const dir = tempDir('handoffs');
    try {
      writeHandoff(dir, record('2026-01-01T10:00:00.000Z'), 2);
      writeHandoff(dir, record('2026-01-03T10:00:00.000Z'), 2);
      writeHandoff(dir, record('2026-01-02T10:00:00.000Z'), 2);
      writeHandoff(dir, record('2026-01-04T10:00:00.000Z', '/p/other'), 2);
      const found = findLatestHandoff(dir, '/p/app');
      assert.equal(found?.record.endedAt, '2026-01-03T10:00:00.000Z');
      assert.match(found?.markdown ?? '', /^# Session handoff — @scope\/My App/);
      assert.match(found?.markdown ?? '', /Commits: not measured \(not a git repository\)/);
      assert.match(found?.markdown ?? '', /Quality Score V2: 50 at start → 55\.5 at end \(Δ \+5\.5\)/);
      assert.match(found?.markdown ?? '', /1\. \*\*high\*\* — Add tests \(\+10 pts, tests\)/);
      // keep 2 per directory: /p/app keeps 01-03 and 01-02; /p/other keeps its one → 3 pairs
      assert.equal(fs.readdirSync(`${dir}/handoffs`).length, 6);
      assert.equal(findLatestHandoff(dir, '/p/none'), null);
    } finally {
      removeDir(dir);
    }
  });

  it('lists every skill the session metrics hold, and sums the ones the store did not list', () => {
    const dir = tempDir('handoffs-skills');
    try {
      const skills = ['Bash', 'Edit', 'Read', 'agent:Explore', 'mcp__github__create_issue', 'skill:code-review'];
      const topSkills = skills.map((skill, i) => ({ skill, invocations: 1, failures: i === 0 ? 1 : 0, p50DurationMs: 10 }));
      const metrics = { invocations: 9, successes: 7, failures: 2, distinctSkills: 8, topSkills, scope: 'fixture' };
      const { markdownPath } = writeHandoff(dir, { ...record('2026-01-05T10:00:00.000Z'), sessionMetrics: metrics, sessionMetricsNote: null });
      const md = fs.readFileSync(markdownPath, 'utf8');
      assert.match(md, /Skill invocations: 9 \(2 failed\) across 8 skills/);
      for (const s of skills) assert.match(md, new RegExp(`  - ${s}: 1 \\(`));
      assert.match(md, / {2}- … 2 more skills: 3 \(1 failed\)/);
    } finally {
      removeDir(dir);
    }
  });

  it('ignores unreadable sidecars', () => {
    const dir = tempDir('handoffs-bad');
    try {
      fs.mkdirSync(`${dir}/handoffs`);
      fs.writeFileSync(`${dir}/handoffs/x.json`, '{nope');
      assert.equal(findLatestHandoff(dir, '/p/app'), null);
    } finally {
      removeDir(dir);
    }
  });
});
