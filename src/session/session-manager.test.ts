import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { openDatabase } from '../store/database.js';
import { Migrator } from '../store/sqlite/migrator.js';
import { git, makeBareProject, makeRichProject, removeDir, tempDir } from './fixture-projects.js';
import { renderCheckpointMarkdown, renderStartMarkdown, renderStatusMarkdown } from './report-markdown.js';
import { SessionManager, type SessionManagerOptions } from './session-manager.js';
import type { SessionSkillMetrics, SessionWindow } from './session-types.js';
import { readSqliteStorageStats } from '../store/sqlite/storage-stats.js';
import { SqliteReflectionStore } from '../store/sqlite/reflection-store.js';
import { createReflectionService } from '../memory/reflection-service.js';

const METRICS: SessionSkillMetrics = {
  invocations: 10,
  successes: 7,
  failures: 3,
  distinctSkills: 2,
  topSkills: [
    { skill: 'a', invocations: 6, failures: 1, p50DurationMs: 120 },
    { skill: 'b', invocations: 4, failures: 2, p50DurationMs: null },
  ],
  scope: 'fixture',
};

function code(c: string) {
  return (err: unknown) => err instanceof AppError && err.code === c;
}

describe('SessionManager lifecycle on a fixture project', () => {
  let rich: string;
  let bare: string;
  let dataDir: string;
  let t = Date.parse('2026-01-12T12:00:00Z');
  const windows: SessionWindow[] = [];
  const db = openDatabase(':memory:');
  new Migrator(db).up();
  const options = (): SessionManagerOptions => ({
    dataDir,
    logger: createLogger('silent'),
    now: () => t,
    audit: 'off',
    sessionSkillMetrics: async (w) => {
      windows.push(w);
      return METRICS;
    },
    storageStats: async () => readSqliteStorageStats(db, ':memory:', ['reflections']),
    memory,
  });
  const memory = createReflectionService(new SqliteReflectionStore(db, { now: () => t }));

  before(() => {
    rich = makeRichProject();
    bare = makeBareProject();
    dataDir = tempDir('data');
  });
  after(() => {
    for (const d of [rich, bare, dataDir]) removeDir(d);
    db.close();
  });

  it('validates the working directory', async () => {
    const m = new SessionManager(options());
    const invalid = (err: unknown) => err instanceof AppError && err.code === 'INVALID_INPUT' && err.details.field === 'working_directory';
    await assert.rejects(m.start('relative/dir'), invalid);
    await assert.rejects(m.start(path.join(bare, 'missing')), invalid);
    await assert.rejects(m.start(path.join(bare, 'index.js')), invalid);
    await assert.rejects(m.start(''), invalid);
  });

  it('checkpoint and end without an open session are NOT_FOUND', async () => {
    const m = new SessionManager(options());
    await assert.rejects(m.checkpoint(), code('NOT_FOUND'));
    await assert.rejects(m.end(), code('NOT_FOUND'));
    await assert.rejects(m.checkpoint({ sessionId: 'nope' }), code('NOT_FOUND'));
  });

  let sessionId = '';

  it('start opens a session with project, git branch/head and a baseline score', async () => {
    const m = new SessionManager(options());
    const r = await m.start(rich);
    sessionId = r.session.id;
    assert.equal(r.resumed, false);
    assert.equal(r.previousHandoff, null);
    assert.equal(r.project.name, 'rich-app');
    assert.deepEqual(r.project.types, ['node', 'typescript']);
    assert.equal(r.session.git.branch, 'main');
    assert.match(r.session.git.headAtStart ?? '', /^[0-9a-f]{40}$/);
    assert.equal(r.quality?.total, 99.4);
    assert.equal(r.session.startedAt, '2026-01-12T12:00:00.000Z');
    const md = renderStartMarkdown(r);
    assert.match(md, /^# Session started — rich-app/);
    assert.match(md, /Quality Score V2 at start: 99\.4\/100 \(production-grade\)/);
    assert.match(md, /No handoff from a previous session/);
  });

  it('start again in the same directory resumes the open session', async () => {
    const m = new SessionManager(options());
    const r = await m.start(rich);
    assert.equal(r.resumed, true);
    assert.equal(r.session.id, sessionId);
  });

  it('checkpoint measures the change, the commits since start, skill metrics and storage', async () => {
    fs.rmSync(path.join(rich, 'SECURITY.md'));
    git(rich, ['commit', '-q', '-am', 'chore: drop policy'], '2026-01-12T12:30:00Z');
    t = Date.parse('2026-01-12T12:40:00Z');
    const m = new SessionManager(options()); // a fresh instance: state comes from disk
    const r = await m.checkpoint();
    assert.equal(r.kind, 'checkpoint');
    assert.equal(r.session?.id, sessionId);
    assert.equal(r.session?.checkpoints, 1);
    assert.equal(r.session?.durationMinutes, 40);
    // security 70 + 15 + 0 = 85 → total 99.4 − 10 · 15/100 = 97.9
    assert.equal(r.quality.total, 97.9);
    assert.equal(r.delta.sinceStart, -1.5);
    assert.equal(r.delta.sinceLastCheckpoint, null);
    assert.deepEqual(
      r.delta.dimensions.find((d) => d.id === 'security'),
      { id: 'security', start: 100, now: 85, delta: -15 },
    );
    assert.ok(r.work.measured);
    assert.deepEqual(
      r.work.commits.map((c) => c.subject),
      ['chore: drop policy'],
    );
    assert.equal(r.work.uncommittedChanges, 0);
    assert.ok(r.sessionMetrics.measured);
    assert.deepEqual(windows.at(-1), {
      sessionId,
      project: 'rich-app',
      workingDirectory: rich,
      startedAt: Date.parse('2026-01-12T12:00:00Z'),
      endedAt: Date.parse('2026-01-12T12:40:00Z'),
    });
    assert.ok(r.storage.database.measured);
    assert.equal(r.storage.database.compaction.recommended, false);
    // Storage is measured after the checkpoint is kept: its row count includes it (reflection 1 of 1).
    assert.deepEqual(r.storage.database.stats.rows, { reflections: 1 });
    // 3 of 10 failed = 30% ≥ 20% → a session recommendation naming the skill with most failures
    const texts = r.recommendations.map((x) => x.text);
    assert.ok(texts.includes('3 of 10 skill invocations failed this session (30%); most failures: b (2)'));
    assert.ok(texts.includes('Add a SECURITY.md describing how to report vulnerabilities'));

    const md = renderCheckpointMarkdown(r);
    assert.match(md, /^# Session checkpoint — rich-app/);
    assert.match(md, /## Quality Score V2: 97\.9\/100 — production-grade/);
    assert.match(md, /Δ since start: -1\.5/);
    assert.match(md, /\| Security basics \| 85\/100 \| 10 \| 8\.50 \| yes \|/);
    // The weighted parts are shown exactly, so they add up to the sum in the Total row, rounded once.
    const parts = [...md.matchAll(/^\| [^|]+ \| \d+\/100 \| \d+ \| ([\d.]+) \| yes \|$/gm)].map((m) => Number(m[1]));
    assert.equal(parts.length, 7);
    assert.equal(Math.round(parts.reduce((s, x) => s + x, 0) * 100) / 100, 97.9);
    assert.match(md, /\| \*\*Total\*\* \| \| 100\/100 measured \| 97\.90 → \*\*97\.9\*\* \| \|/);
    assert.match(md, /Skill invocations: 10 \(70% successful\), 3 failed, 2 distinct skills/);
    assert.match(md, /\| a \| 6 \| 1 \| 120 ms \|/);
    assert.match(md, /Compaction: not needed/);
    assert.match(md, /`[0-9a-f]+` chore: drop policy/);
    assert.match(md, /## Recommendations/);

    // The checkpoint is kept as a reflection: score, dimensions, skill metrics, what changed since the start.
    assert.ok(r.history.measured);
    assert.deepEqual(r.history.history.points, [{ at: '2026-01-12T12:40:00.000Z', total: 97.9 }]);
    assert.match(md, /Score history of rich-app \([^)]+\): 97\.9 \(1 checkpoint\) · this checkpoint is reflection 1\b/);
    assert.match(md, /- Rows: reflections 1\n/);
    const kept = await memory.get(r.history.reflectionId!);
    assert.equal(kept.kind, 'checkpoint');
    assert.equal(kept.project, 'rich-app');
    assert.match(kept.content, /Quality Score V2 97\.9 \(production-grade\), -1\.5 since 2026-01-12T12:00:00/);
    assert.match(kept.content, /Moved: security 100 → 85 \(-15\)/);
    assert.match(kept.content, /Skills: 10 invocations, 3 failed \(a 6\/1 failed, b 4\/2 failed\); 10 new since the last checkpoint/);
    assert.match(kept.content, /Commits since start: 1 \(1 new\)/);
  });

  it('a second checkpoint reports the delta since the previous one, and the score history', async () => {
    t += 60_000;
    const r = await new SessionManager(options()).checkpoint({ sessionId });
    assert.equal(r.delta.sinceLastCheckpoint, 0);
    assert.equal(r.session?.checkpoints, 2);
    assert.ok(r.history.measured);
    assert.deepEqual(
      r.history.history.points.map((p) => p.total),
      [97.9, 97.9],
    );
    assert.equal(r.history.history.direction, 'flat');
    assert.equal(r.history.history.mostMoved, null);
    const kept = await memory.get(r.history.reflectionId!);
    assert.match(kept.content, /Quality Score V2 97\.9 \(production-grade\), 0 since 2026-01-12T12:40:00\.000Z\./);
    assert.match(kept.content, /Commits since start: 1 \(0 new\)/);
    assert.doesNotMatch(kept.content, /Moved:/);
  });

  it('says why the maturity label is capped when possible secrets are committed', async () => {
    const root = makeRichProject();
    try {
      fs.writeFileSync(path.join(root, 'settings.py'), ['DB_PASSWORD = "S3cr3t', 'P4ssw0rdValue"\n'].join(''));
      git(root, ['add', '-A']);
      git(root, ['commit', '-qm', 'chore: settings']);
      const r = await new SessionManager(options()).checkpoint({ workingDirectory: root });
      assert.ok((r.quality.total ?? 0) >= 85);
      assert.equal(r.quality.maturity, 'developing');
      const md = renderCheckpointMarkdown(r);
      assert.match(
        md,
        /## Quality Score V2: [\d.]+\/100 — developing — capped at developing \(production-grade by score\) while possible secrets are committed\n/,
      );
      assert.match(md, /settings\.py:1 \(hard-coded credential\)/);
      assert.ok(!md.includes('P4ssw0rd'));
    } finally {
      removeDir(root);
    }
  });

  it('checkpoint of a directory without a session is an ad-hoc report', async () => {
    const r = await new SessionManager(options()).checkpoint({ workingDirectory: bare });
    assert.equal(r.kind, 'adhoc');
    assert.equal(r.session, null);
    assert.equal(r.quality.total, 8.2);
    assert.equal(r.sessionMetrics.measured, false);
    assert.match(renderCheckpointMarkdown(r), /No open session for this directory/);
    assert.deepEqual(r.context, { measured: false, reason: 'no Claude Code transcript found for this directory' });
    // Ad-hoc reports show the project's history but do not add to it.
    assert.ok(r.history.measured);
    assert.equal(r.history.reflectionId, null);
    assert.deepEqual(r.history.history.points, []);
  });

  it("checkpoint reports the context window's fullness from the transcript and recommends compacting past 75%", async () => {
    const transcript = path.join(dataDir, 'agent.jsonl');
    // 170,000 of 200,000 = 85%
    fs.writeFileSync(
      transcript,
      `${JSON.stringify({ type: 'assistant', message: { usage: { input_tokens: 9000, cache_read_input_tokens: 160000, output_tokens: 1000 } } })}\n`,
    );
    const r = await new SessionManager(options()).checkpoint({ workingDirectory: bare, transcriptPath: transcript });
    assert.ok(r.context.measured);
    assert.deepEqual([r.context.usedTokens, r.context.ratio, r.context.recommendCompact], [170000, 0.85, true]);
    const advice = r.recommendations.find((x) => x.dimension === 'context');
    assert.equal(advice?.priority, 'high');
    assert.match(advice?.text ?? '', /^Compact the conversation: 170000 of 200000 tokens in use \(85%\)/);
    assert.match(renderCheckpointMarkdown(r), /Context window: 170000 of 200000 tokens in use \(85%\)/);
    const unreadable = await new SessionManager(options()).checkpoint({ workingDirectory: bare, transcriptPath: path.join(dataDir, 'missing.jsonl') });
    assert.equal(unreadable.context.measured, false);
    await assert.rejects(
      new SessionManager(options()).checkpoint({ workingDirectory: bare, transcriptPath: 'rel.jsonl' }),
      (e: unknown) => e instanceof AppError && e.details.field === 'transcript_path',
    );
  });

  it('status survives a restart and shows the current session and the store', async () => {
    const s = await new SessionManager(options()).status();
    assert.equal(s.current?.id, sessionId);
    assert.ok(s.history.measured);
    assert.equal(s.history.project, 'rich-app');
    assert.equal(s.history.history.points.length, 2);
    assert.match(renderStatusMarkdown(s), /Score history of rich-app \([^)]+\): 97\.9 → 97\.9 \(0 over 2 checkpoints\) ▄▄/);
    assert.equal(s.openSessions.length, 1);
    assert.equal(typeof s.server.pid, 'number');
    assert.ok(s.storage.database.measured);
    assert.ok(s.storage.dataDir.exists);
    assert.match(renderStatusMarkdown(s), /Current: \*\*rich-app\*\*/);
  });

  let handoffPath = '';

  it('end writes a handoff with what was done, the quality delta and open recommendations', async () => {
    t = Date.parse('2026-01-12T13:00:00Z');
    const r = await new SessionManager(options()).end();
    handoffPath = r.handoff.markdownPath;
    assert.equal(path.dirname(handoffPath), path.join(dataDir, 'handoffs'));
    assert.match(path.basename(handoffPath), /^rich-app-20260112-130000-[0-9a-f]{8}\.md$/);
    assert.equal(r.report.kind, 'end');
    assert.equal(r.report.session?.open, false);
    const md = fs.readFileSync(handoffPath, 'utf8');
    assert.match(md, /^# Session handoff — rich-app/);
    assert.match(md, /1 commit during the session:\n {2}- `[0-9a-f]+` chore: drop policy/);
    assert.match(md, /Checkpoints taken: 2/);
    assert.match(md, /Skill invocations: 10 \(3 failed\) across 2 skills/);
    assert.match(md, /Quality Score V2: 99\.4 at start → 97\.9 at end \(Δ -1\.5\)/);
    assert.match(md, /\| Security basics \| 100 \| 85 \| -15 \|/);
    assert.match(md, /## Open recommendations\n\n1\. \*\*/);
    const json = JSON.parse(fs.readFileSync(r.handoff.jsonPath, 'utf8'));
    assert.equal(json.sessionId, sessionId);
    assert.equal(json.quality.delta, -1.5);

    const s = await new SessionManager(options()).status();
    assert.equal(s.current, null);
    assert.equal(s.recentSessions[0]?.id, sessionId);
    await assert.rejects(new SessionManager(options()).checkpoint({ sessionId }), code('CONFLICT'));
  });

  it('the next start in the same directory returns that handoff', async () => {
    t = Date.parse('2026-01-13T09:00:00Z');
    const r = await new SessionManager(options()).start(rich);
    assert.notEqual(r.session.id, sessionId);
    assert.equal(r.previousHandoff?.markdownPath, handoffPath);
    assert.equal(r.previousHandoff?.sessionId, sessionId);
    assert.equal(r.previousHandoff?.quality.end, 97.9);
    assert.match(r.previousHandoff?.markdown ?? '', /chore: drop policy/);
    assert.match(renderStartMarkdown(r), /Handoff from session/);
    // Another directory has no handoff.
    const other = await new SessionManager(options()).start(bare);
    assert.equal(other.previousHandoff, null);
    // Both are open; the most recent start is current.
    const s = await new SessionManager(options()).status();
    assert.equal(s.openSessions.length, 2);
    assert.equal(s.current?.id, other.session.id);
  });

  it('records the pending invocations (the spool) before counting the session in checkpoint and end', async () => {
    const stored: string[] = [];
    const pending: string[] = [];
    const m = new SessionManager({
      ...options(),
      sessionSkillMetrics: async () => ({
        ...METRICS,
        invocations: stored.length,
        successes: stored.length,
        failures: 0,
        distinctSkills: new Set(stored).size,
        topSkills: [],
      }),
    });
    m.setPendingInvocations(async () => {
      stored.push(...pending.splice(0));
    });
    const own = makeBareProject(); // a directory of its own: ending its sessions leaves the others' open
    const started = await m.start(own);
    pending.push('Read', 'Edit'); // spooled by the hooks, not drained yet
    const c = await m.checkpoint({ sessionId: started.session.id });
    assert.equal(c.sessionMetrics.measured && c.sessionMetrics.metrics.invocations, 2);
    pending.push('Bash');
    const e = await m.end(started.session.id);
    assert.equal(e.report.sessionMetrics.measured && e.report.sessionMetrics.metrics.invocations, 3);
    // A failing flush leaves the figures to what is stored.
    const m2 = new SessionManager({ ...options(), sessionSkillMetrics: async () => ({ ...METRICS, invocations: stored.length }) });
    m2.setPendingInvocations(async () => {
      throw new Error('store locked');
    });
    const again = await m2.start(own);
    const r = await m2.checkpoint({ sessionId: again.session.id });
    assert.equal(r.sessionMetrics.measured && r.sessionMetrics.metrics.invocations, 3);
    await m2.end(again.session.id);
    removeDir(own);
  });

  it('sums the skills the store did not list in the checkpoint table, so the rows add up to the totals', async () => {
    const m = new SessionManager({
      ...options(),
      sessionSkillMetrics: async () => ({ ...METRICS, invocations: 13, failures: 4, successes: 9, distinctSkills: 5 }),
    });
    const own = makeBareProject();
    try {
      const started = await m.start(own);
      const md = renderCheckpointMarkdown(await m.checkpoint({ sessionId: started.session.id }));
      assert.match(md, /\| a \| 6 \| 1 \| 120 ms \|\n\| b \| 4 \| 2 \| — \|\n\| … 3 more skills \| 3 \| 1 \| — \|/);
      await m.end(started.session.id);
    } finally {
      removeDir(own);
    }
  });

  it('reports skill metrics and storage as not measured when the providers fail or are absent', async () => {
    const m = new SessionManager({
      ...options(),
      sessionSkillMetrics: async () => {
        throw new Error('db closed');
      },
      storageStats: undefined,
    });
    const r = await m.checkpoint({ workingDirectory: bare });
    assert.deepEqual(r.sessionMetrics, { measured: false, reason: 'skill store error: db closed' });
    assert.deepEqual(r.storage.database, { measured: false, reason: 'the store is not connected to the session manager' });
    const md = renderCheckpointMarkdown(r);
    assert.match(md, /Not measured: skill store error: db closed\./);
    assert.match(md, /Database: not measured \(the store is not connected/);
  });
});
