/**
 * The session skill metrics on every back-end (createSqlSessionSkillMetrics,
 * createPgSessionSkillMetrics), through the store bundle.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends, testTracker, type OpenedBackend } from '../testing/backends.js';

const T0 = Date.parse('2026-01-12T12:00:00Z');

describe('session skill metrics', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        const { tracker } = testTracker(b.store, () => T0 + 3_600_000);
        const base = { user_id: 'u', session_id: 's', workflow_phase: 'testing' as const };
        const rows: [string, boolean, number, string, number][] = [
          // skill, completed, duration, project, minutes after T0
          ['lint', true, 100, 'app', 1],
          ['lint', false, 300, 'app', 2],
          ['lint', true, 200, 'app-dir', 3], // matched by directory name
          ['test', true, 50, 'app', 4],
          ['test', true, 70, 'other', 5], // other project: excluded
          ['lint', true, 999, 'app', -10], // before the window: excluded
        ];
        for (const [skill, completed, duration, project, min] of rows) {
          await tracker.track({ ...base, skill_name: skill, completed, duration_ms: duration, project, invoked_at: T0 + min * 60_000 });
        }
        // Recorded under the MCP session's own id, without a project (an agent passing the id `start` returned).
        await tracker.track({ ...base, session_id: 'sb-session-1', skill_name: 'review', completed: true, duration_ms: 40, invoked_at: T0 + 6 * 60_000 });
      });
      after(async () => {
        await b?.dispose();
      });

      it('counts invocations of the session project and directory inside the window', async () => {
        const m = await b.stores.sessionSkillMetrics({
          sessionId: 'x',
          project: 'app',
          workingDirectory: '/home/dev/app-dir',
          startedAt: T0,
          endedAt: T0 + 30 * 60_000,
        });
        assert.ok(m);
        assert.equal(m.invocations, 4); // lint ×3 (app, app, app-dir) + test ×1
        assert.equal(m.failures, 1);
        assert.equal(m.successes, 3);
        assert.equal(m.distinctSkills, 2);
        // lint durations 100, 200, 300 → lower median (offset floor((3−1)/2) = 1) = 200
        assert.deepEqual(m.topSkills, [
          { skill: 'lint', invocations: 3, failures: 1, p50DurationMs: 200 },
          { skill: 'test', invocations: 1, failures: 0, p50DurationMs: 50 },
        ]);
        assert.match(m.scope ?? '', /project in \("app", "app-dir", "\/home\/dev\/app-dir"\)/);
      });

      it("counts invocations recorded under the session's own id, whatever their project", async () => {
        const m = await b.stores.sessionSkillMetrics({
          sessionId: 'sb-session-1',
          project: 'app',
          workingDirectory: '/home/dev/app-dir',
          startedAt: T0,
          endedAt: T0 + 30 * 60_000,
        });
        assert.equal(m?.invocations, 5); // the four above + review
        assert.deepEqual(
          m?.topSkills.find((t) => t.skill === 'review'),
          { skill: 'review', invocations: 1, failures: 0, p50DurationMs: 40 },
        );
        assert.match(m?.scope ?? '', /recorded under session "sb-session-1" or with project in/);
      });

      it('takes the lower median of an even number of durations', async () => {
        // lint in [T0, T0 + 2 min]: 100 and 300 → lower median = the first of the two = 100.
        const m = await b.stores.sessionSkillMetrics({ sessionId: 'y', project: 'app', workingDirectory: '/x/app', startedAt: T0, endedAt: T0 + 2 * 60_000 });
        assert.deepEqual(m?.topSkills, [{ skill: 'lint', invocations: 2, failures: 1, p50DurationMs: 100 }]);
      });
    });
  }
});
