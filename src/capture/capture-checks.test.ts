/**
 * doctor's capture checks run the commands Claude Code would run: a working
 * hook and MCP registration pass, a hook command that is not on PATH (what
 * `session-buddy hook` was for users who never installed the bin) fails, and
 * drops are reported. The missing command is named so that no installation
 * provides it: a machine where `npm install -g .` put `session-buddy` on PATH
 * (as the README says to) runs the bare `session-buddy hook` fine.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { captureChecks } from './capture-checks.js';
import { recordDrop } from './drop-counter.js';
import { entryArgv, entryCommandLine } from './entry-command.js';
import { writeHooksConfig } from './install-hooks.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-capture-checks-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe('captureChecks', () => {
  it('runs the installed hook and MCP commands and reports drops', { timeout: 120_000 }, async () => {
    const home = path.join(root, 'home');
    const cwd = path.join(root, 'proj');
    const dataDir = path.join(home, '.session-buddy');
    fs.mkdirSync(cwd, { recursive: true });
    const entry = { node: process.execPath, script: BIN };
    writeHooksConfig(path.join(home, '.claude', 'settings.json'), { command: entryCommandLine(entry, { dataDir, store: null }, ['hook']) });
    const [command, ...args] = entryArgv(entry, { dataDir, store: null }, ['mcp']);
    fs.writeFileSync(path.join(home, '.claude.json'), JSON.stringify({ mcpServers: { 'session-buddy': { type: 'stdio', command, args } } }));
    const opts = { dataDir, env: { HOME: home }, home, cwd, timeoutMs: 60_000 };

    const ok = Object.fromEntries((await captureChecks(opts)).map((c) => [c.name, c]));
    assert.equal(ok['claude code hooks']?.status, 'ok', ok['claude code hooks']?.detail);
    assert.equal(ok['claude code mcp server']?.status, 'ok', ok['claude code mcp server']?.detail);
    assert.equal(ok['hook drops']?.status, 'ok');

    // The project overrides with a bare command that is not on a hook's PATH.
    writeHooksConfig(path.join(cwd, '.claude', 'settings.json'), { command: 'session-buddy-never-installed hook' });
    recordDrop(dataDir, 3, 'spool is full', Date.UTC(2026, 0, 5));
    const bad = Object.fromEntries((await captureChecks(opts)).map((c) => [c.name, c]));
    assert.equal(bad['claude code hooks']?.status, 'fail');
    assert.match(bad['claude code hooks']?.detail ?? '', /proj\/\.claude\/settings\.json: `session-buddy-never-installed hook` does not run \(exit 127/);
    assert.equal(bad['hook drops']?.status, 'warn');
    assert.match(bad['hook drops']?.detail ?? '', /^3 invocation\(s\) dropped by hooks, last 2026-01-05T00:00:00\.000Z \(spool is full\)/);
  });
});
