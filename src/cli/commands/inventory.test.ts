import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { SkillInventory } from '../../capture/skill-inventory-types.js';
import { makeClaudeFixture } from '../../testing/claude-fixture.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-inventory-cli-'));
const fx = makeClaudeFixture(root);

function run(args: string[], cwd = fx.project, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', path.join(root, 'data'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: fx.home, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('session-buddy inventory', () => {
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('prints a table with tokens, problems, duplicates and the total, for the current directory as project', () => {
    const r = run(['inventory']);
    assert.equal(r.code, 0, r.err);
    const row = (name: string, scope = 'user') => r.out.split('\n').find((l) => l.split(/\s{2,}/)[2] === name && l.split(/\s{2,}/)[1] === scope) ?? '';
    assert.match(row('review'), /^skill\s+user\s+review\s+15\s+-\s+skill:review-pr$/);
    assert.match(row('review', 'project'), /^skill\s+project\s+review\s+0\s+not loaded: /);
    assert.match(row('broken'), /^skill\s+user\s+broken\s+0\s+unparseable front matter: /);
    assert.match(row('deploy (user-only)', 'project'), /^skill\s+project\s+deploy \(user-only\)\s+0\s+-\s+-$/);
    assert.match(row('lint:fix', 'plugin'), /^skill\s+plugin\s+lint:fix\s+12\s/);
    assert.match(row('github', 'project'), /^mcp-server\s+project\s+github\s+\?\s/);
    assert.match(row('github'), /^mcp-server\s+user\s+github\s+0\s+not loaded: /);
    assert.match(row('my.docs', 'project'), /^mcp-server\s+project\s+my\.docs\s+\?\s/);
    assert.match(r.out, /8 skill\(s\), 3 command\(s\), 4 subagent\(s\), 7 MCP server\(s\)/);
    // Problems split by what they mean: does not load (0 tokens), turned off by the user (0), loads with a warning (costed).
    assert.match(r.out, /; 7 not loaded, 1 turned off, 1 loading with problems, 2 with near-duplicate descriptions\n/);
    assert.match(row('legacy', 'project'), /^mcp-server\s+project\s+legacy\s+0\s+turned off in /);
    // An MCP server that cannot load (neither command nor url) costs 0, not an unknown tool list.
    assert.match(row('bad'), /^mcp-server\s+user\s+bad\s+0\s+neither /);
    assert.match(r.out, /could not read .*gone.*: plugin gone@mp: install directory is missing/);
    assert.match(r.out, /estimator: ceil\(characters \/ 4\)/);
  });

  it('--json gives the inventory, and the printed total is the sum of its tokens', () => {
    const r = run(['inventory', '--json', '--project', fx.project], root);
    assert.equal(r.code, 0, r.err);
    const inv = JSON.parse(r.out) as SkillInventory;
    assert.equal(inv.items.length, 22);
    const total = inv.items.reduce((s, i) => s + (i.alwaysLoadedTokens ?? 0), 0);
    assert.ok(total > 0);
    const table = run(['inventory', '--project', fx.project], root);
    assert.match(table.out, new RegExp(`always-loaded context: ~${total} tokens every session plus the tool lists of 4 MCP server`));
  });

  it('reads the directories CLAUDE_CONFIG_DIR names instead of ~/.claude', () => {
    const alt = path.join(root, 'alt-config');
    fs.mkdirSync(path.join(alt, 'skills', 'solo'), { recursive: true });
    fs.writeFileSync(path.join(alt, 'skills', 'solo', 'SKILL.md'), '---\nname: solo\ndescription: The only user skill here\n---\n');
    fs.writeFileSync(path.join(alt, '.claude.json'), JSON.stringify({ mcpServers: { altsrv: { command: 'x' } } }));
    const r = run(['inventory', '--json'], fx.project, { CLAUDE_CONFIG_DIR: alt });
    assert.equal(r.code, 0, r.err);
    const user = (JSON.parse(r.out) as SkillInventory).items.filter((i) => i.scope === 'user').map((i) => i.skill);
    assert.deepEqual(user, ['skill:solo', 'mcp:altsrv']);
  });

  it('names --project when it is not a directory', () => {
    const r = run(['inventory', '--project', path.join(root, 'missing')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--project: must be an existing directory/);
  });
});
