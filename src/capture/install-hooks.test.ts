import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildHooksConfig, isOurHookCommand, mergeHooksConfig, type RemoveResult, removeHooksConfig, writeHooksConfig } from './install-hooks.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-install-hooks-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('buildHooksConfig', () => {
  it('registers tool events with matcher * and session events without matcher', () => {
    const c = buildHooksConfig();
    assert.deepEqual(Object.keys(c.hooks), [
      'PreToolUse',
      'PostToolUse',
      'PostToolUseFailure',
      'SessionStart',
      'Stop',
      'SessionEnd',
      'PreCompact',
      'UserPromptExpansion',
    ]);
    assert.deepEqual(c.hooks.PreToolUse, [{ matcher: '*', hooks: [{ type: 'command', command: 'session-buddy hook', timeout: 2, async: true }] }]);
    assert.deepEqual(c.hooks.Stop, [{ hooks: [{ type: 'command', command: 'session-buddy hook', timeout: 2, async: true }] }]);
    // SessionStart returns context on stdout and PreCompact saves before compaction: both synchronous.
    assert.deepEqual(c.hooks.SessionStart, [{ hooks: [{ type: 'command', command: 'session-buddy hook', timeout: 2 }] }]);
    assert.deepEqual(c.hooks.PreCompact, [{ hooks: [{ type: 'command', command: 'session-buddy hook', timeout: 2 }] }]);
  });

  it('can make the hooks synchronous', () => {
    assert.deepEqual(buildHooksConfig({ async: false, timeoutSeconds: 3 }).hooks.PostToolUse, [
      { matcher: '*', hooks: [{ type: 'command', command: 'session-buddy hook', timeout: 3 }] },
    ]);
  });

  it('can leave out PostToolUseFailure', () => {
    assert.equal(buildHooksConfig({ includeFailureEvent: false }).hooks.PostToolUseFailure, undefined);
  });
});

describe('isOurHookCommand', () => {
  it('recognises the ways the hook may be launched', () => {
    assert.ok(isOurHookCommand('session-buddy hook'));
    assert.ok(isOurHookCommand('npx session-buddy hook'));
    assert.ok(isOurHookCommand('node /opt/sb/bin/session-buddy.js --data-dir /x hook'));
    assert.ok(isOurHookCommand('session-buddy hook --data-dir /x'));
    assert.ok(!isOurHookCommand('session-buddy install-hooks'));
    assert.ok(!isOurHookCommand('./my-hook.sh'));
    assert.ok(!isOurHookCommand(undefined));
  });
});

describe('mergeHooksConfig', () => {
  const existing = {
    model: 'opus',
    permissions: { allow: ['Bash(npm test)'] },
    hooks: {
      PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './guard.sh' }] }],
      Notification: [{ hooks: [{ type: 'command', command: 'notify-send hi' }] }],
    },
  };

  it('adds ours and keeps everything else', () => {
    const r = mergeHooksConfig(existing);
    assert.equal(r.added.length, 8);
    assert.deepEqual(r.updated, []);
    const s = r.settings as { model: string; permissions: unknown; hooks: Record<string, unknown[]> };
    assert.equal(s.model, 'opus');
    assert.deepEqual(s.permissions, { allow: ['Bash(npm test)'] });
    assert.deepEqual(s.hooks.Notification, existing.hooks.Notification);
    assert.equal(s.hooks.PreToolUse!.length, 2); // the guard plus ours
    assert.deepEqual(s.hooks.PreToolUse![0], existing.hooks.PreToolUse[0]);
    // input not mutated
    assert.equal(existing.hooks.PreToolUse.length, 1);
  });

  it('is idempotent', () => {
    const once = mergeHooksConfig(existing).settings;
    const twice = mergeHooksConfig(once);
    assert.deepEqual(twice.added, []);
    assert.deepEqual(twice.updated, []);
    assert.deepEqual(twice.settings, once);
  });

  it('updates our command in place and drops extra copies', () => {
    const old = {
      hooks: {
        PreToolUse: [
          { matcher: '*', hooks: [{ type: 'command', command: 'npx session-buddy hook', timeout: 5 }] },
          {
            matcher: 'Edit',
            hooks: [
              { type: 'command', command: 'npx session-buddy hook' },
              { type: 'command', command: 'lint' },
            ],
          },
        ],
      },
    };
    const r = mergeHooksConfig(old, { command: 'session-buddy hook' });
    assert.deepEqual(r.updated, ['PreToolUse']);
    const pre = (r.settings.hooks as Record<string, unknown[]>).PreToolUse;
    assert.deepEqual(pre, [
      { matcher: '*', hooks: [{ type: 'command', command: 'session-buddy hook', timeout: 2, async: true }] },
      { matcher: 'Edit', hooks: [{ type: 'command', command: 'lint' }] },
    ]);
    // switching to synchronous removes the async flag
    const sync = mergeHooksConfig(r.settings, { command: 'session-buddy hook', async: false });
    assert.deepEqual(sync.updated.includes('PreToolUse'), true);
    assert.deepEqual((sync.settings.hooks as Record<string, Array<{ hooks: unknown[] }>>).PreToolUse![0]!.hooks, [
      { type: 'command', command: 'session-buddy hook', timeout: 2 },
    ]);
  });

  it('rejects settings that are not objects', () => {
    assert.throws(() => mergeHooksConfig([]), /settings: must be a JSON object/);
    assert.throws(() => mergeHooksConfig({ hooks: [] }), /settings.hooks: must be an object/);
    assert.throws(() => mergeHooksConfig({ hooks: { Stop: {} } }), /settings.hooks.Stop: must be an array/);
  });
});

describe('removeHooksConfig', () => {
  const theirs = { type: 'command', command: './guard.sh' };
  const ours = { type: 'command', command: '/usr/bin/node /opt/sb/bin/session-buddy.js --data-dir /d hook', async: true };

  it('takes out ours from every event, keeps theirs, and drops the groups and events left empty', () => {
    const settings = {
      model: 'opus',
      hooks: {
        PreToolUse: [
          { matcher: 'Bash', hooks: [theirs] },
          { matcher: '*', hooks: [ours] },
        ],
        Stop: [{ hooks: [ours, theirs] }],
        SessionEnd: [{ hooks: [ours] }],
        Notification: [{ hooks: [] }],
      },
    };
    const r: RemoveResult = removeHooksConfig(settings);
    assert.deepEqual(r.removed, ['PreToolUse', 'Stop', 'SessionEnd']);
    assert.deepEqual(r.settings, {
      model: 'opus',
      hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [theirs] }], Stop: [{ hooks: [theirs] }], Notification: [{ hooks: [] }] },
    });
    // The input is not changed.
    assert.equal(settings.hooks.SessionEnd.length, 1);
  });

  it('removes the hooks key it empties, and changes nothing without hooks of ours', () => {
    assert.deepEqual(removeHooksConfig({ hooks: { Stop: [{ hooks: [ours] }] } }), { settings: {}, removed: ['Stop'] });
    assert.deepEqual(removeHooksConfig({ hooks: {} }), { settings: { hooks: {} }, removed: [] });
    assert.deepEqual(removeHooksConfig(undefined), { settings: {}, removed: [] });
    assert.throws(() => removeHooksConfig([]), /settings: must be a JSON object/);
  });
});

describe('writeHooksConfig', () => {
  it('creates the file, then merges without duplicating', () => {
    const file = path.join(tmp, 'proj', '.claude', 'settings.json');
    const first = writeHooksConfig(file);
    assert.equal(first.created, true);
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as { hooks: Record<string, unknown[]> };
    assert.equal(written.hooks.PostToolUse!.length, 1);

    const second = writeHooksConfig(file);
    assert.equal(second.created, false);
    assert.deepEqual(second.added, []);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), written);
  });

  it('keeps an invalid JSON file untouched', () => {
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, '{ nope');
    assert.throws(() => writeHooksConfig(file), /is not valid JSON/);
    assert.equal(fs.readFileSync(file, 'utf8'), '{ nope');
  });
});
