import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { candidateSettingsFiles, claudeStateFile, settingsFile } from './claude-paths.js';

describe('Claude Code paths', () => {
  const base = { home: '/home/ann', cwd: '/src/shop' };
  it('writes user settings under ~/.claude, or $CLAUDE_CONFIG_DIR (first of a list)', () => {
    assert.equal(settingsFile('user', { ...base, env: {} }), '/home/ann/.claude/settings.json');
    assert.equal(settingsFile('user', { ...base, env: { CLAUDE_CONFIG_DIR: '/etc/cc' } }), '/etc/cc/settings.json');
    assert.equal(settingsFile('user', { ...base, env: { CLAUDE_CONFIG_DIR: '/a/cc,/b/cc' } }), '/a/cc/settings.json');
    assert.equal(claudeStateFile({}, '/home/ann'), '/home/ann/.claude.json');
    assert.equal(claudeStateFile({ CLAUDE_CONFIG_DIR: '/etc/cc' }, '/home/ann'), '/etc/cc/.claude.json');
  });

  it("project and local scopes are the project's .claude files; doctor looks most specific first", () => {
    assert.equal(settingsFile('project', { ...base, env: {} }), '/src/shop/.claude/settings.json');
    assert.equal(settingsFile('local', { ...base, env: {} }), '/src/shop/.claude/settings.local.json');
    assert.deepEqual(candidateSettingsFiles({ ...base, env: {} }), [
      '/src/shop/.claude/settings.local.json',
      '/src/shop/.claude/settings.json',
      '/home/ann/.claude/settings.json',
    ]);
  });
});
