import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { createLogger } from '../logger.js';
import { removeDir, tempDir } from './fixture-projects.js';
import { MAX_ENDED_SESSIONS_KEPT, SessionStateFile } from './session-state.js';
import type { SessionRecord } from './session-types.js';

function rec(id: string, endedAt: string | null): SessionRecord {
  return {
    id,
    project: 'p',
    workingDirectory: '/p',
    projectTypes: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt,
    git: { isRepo: false, branch: null, headAtStart: null },
    startQuality: null,
    checkpoints: [],
    checkpointCount: 0,
    previousHandoff: null,
    handoffPath: null,
  };
}

describe('SessionStateFile', () => {
  it('round-trips and keeps open sessions plus the newest ended ones', () => {
    const dir = tempDir('state');
    try {
      const f = new SessionStateFile(dir, createLogger('silent'));
      assert.deepEqual(f.load(), { version: 1, current: null, sessions: [] });
      const ended = Array.from({ length: MAX_ENDED_SESSIONS_KEPT + 5 }, (_, i) => rec(`e${i}`, `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`));
      f.save({ version: 1, current: 'o', sessions: [rec('o', null), ...ended] });
      const back = f.load();
      assert.equal(back.current, 'o');
      assert.equal(back.sessions.length, 1 + MAX_ENDED_SESSIONS_KEPT);
      assert.equal(back.sessions[1]!.id, `e${MAX_ENDED_SESSIONS_KEPT + 4}`); // newest ended first
    } finally {
      removeDir(dir);
    }
  });

  it('moves a corrupt file aside and starts empty', () => {
    const dir = tempDir('state-bad');
    try {
      const f = new SessionStateFile(dir, createLogger('silent'));
      fs.mkdirSync(`${dir}/sessions`);
      fs.writeFileSync(f.file, '{broken');
      assert.deepEqual(f.load().sessions, []);
      assert.ok(fs.readdirSync(`${dir}/sessions`).some((n) => n.startsWith('state.json.corrupt-')));
    } finally {
      removeDir(dir);
    }
  });
});
