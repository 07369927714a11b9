import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeClaudeFixture } from '../testing/claude-fixture.js';
import { readSkillInventory } from './skill-inventory.js';
import type { InventoryItem } from './skill-inventory-types.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-inventory-'));
const fx = makeClaudeFixture(root);

function bySkill(items: InventoryItem[], skill: string, scope?: string): InventoryItem {
  const found = items.filter((i) => i.skill === skill && (scope === undefined || i.scope === scope));
  assert.equal(found.length, 1, `exactly one ${skill} in ${items.map((i) => i.skill).join(', ')}`);
  return found[0]!;
}

describe('readSkillInventory', () => {
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds user, project and plugin skills, commands, subagents and MCP servers under the names usage is recorded by', async () => {
    const inv = await readSkillInventory({ claudeDirs: [fx.claudeDir], projectDir: fx.project, homeDir: fx.home });
    const keys = inv.items.map((i) => `${i.kind} ${i.scope} ${i.skill}`).sort();
    assert.deepEqual(keys, [
      'agent plugin agent:lint:style',
      'agent project agent:tester',
      'agent user agent:anon',
      'agent user agent:tester',
      'command plugin skill:lint:run',
      'command project skill:hello',
      'command user skill:commit',
      'mcp-server plugin mcp:plugin_lint_eslint',
      'mcp-server project mcp:db',
      'mcp-server project mcp:github',
      'mcp-server project mcp:legacy',
      'mcp-server project mcp:my_docs',
      'mcp-server user mcp:bad',
      'mcp-server user mcp:github',
      'skill plugin skill:lint:fix',
      'skill project skill:deploy',
      'skill project skill:review',
      'skill user skill:broken',
      'skill user skill:empty',
      'skill user skill:plain',
      'skill user skill:review',
      'skill user skill:review-pr',
    ]);
  });

  it('costs the always-loaded name and description with ceil(chars / 4), never the body', async () => {
    const { items } = await readSkillInventory({ claudeDirs: [fx.claudeDir], projectDir: fx.project, homeDir: fx.home });
    // "review: Review a pull request for bugs and style problems" = 57 characters -> 15 tokens
    assert.equal(bySkill(items, 'skill:review', 'user').alwaysLoadedTokens, 15);
    assert.equal(bySkill(items, 'skill:review', 'user').description, 'Review a pull request for bugs and style problems');
    // "commit: Commit the staged changes with a message" = 48 -> 12
    assert.equal(bySkill(items, 'skill:commit').alwaysLoadedTokens, 12);
    // a command without front matter: its first line stands in; "hello: Say hello to the user" = 28 -> 7
    assert.equal(bySkill(items, 'skill:hello').description, 'Say hello to the user');
    assert.equal(bySkill(items, 'skill:hello').alwaysLoadedTokens, 7);
    // "lint:fix: Fix lint errors in the changed files" = 46 -> 12
    assert.equal(bySkill(items, 'skill:lint:fix').alwaysLoadedTokens, 12);
    // user-only skill: its description is not loaded
    const deploy = bySkill(items, 'skill:deploy');
    assert.equal(deploy.modelInvocable, false);
    assert.equal(deploy.alwaysLoadedTokens, 0);
    // MCP servers: unknown
    assert.equal(bySkill(items, 'mcp:github', 'project').alwaysLoadedTokens, null);
    assert.match(bySkill(items, 'mcp:github', 'project').source, /\.claude\.json \(projects\[/);
  });

  it('reports broken items as problems, never throws', async () => {
    const inv = await readSkillInventory({ claudeDirs: [fx.claudeDir], projectDir: fx.project, homeDir: fx.home });
    const broken = bySkill(inv.items, 'skill:broken');
    assert.equal(broken.problems.length, 1);
    assert.match(broken.problems[0]!, /^unparseable front matter: .*\(line 3\)$/);
    assert.equal(broken.alwaysLoadedTokens, 0);
    assert.deepEqual(bySkill(inv.items, 'skill:empty').problems, ['skill directory without SKILL.md']);
    const plain = bySkill(inv.items, 'skill:plain');
    assert.match(plain.problems[0]!, /no front matter/);
    assert.equal(plain.description, 'Formats tables in Markdown.');
    assert.deepEqual(bySkill(inv.items, 'agent:anon').problems, ['no `name` in the front matter (required for a subagent)']);
    assert.equal(bySkill(inv.items, 'agent:anon').alwaysLoadedTokens, 0);
    assert.deepEqual(bySkill(inv.items, 'mcp:bad').problems, ['neither `command` (stdio) nor `url` (http/sse) is set']);
    assert.deepEqual(bySkill(inv.items, 'skill:review', 'user').problems, []);
    const sources = inv.sourceProblems.map((p) => `${path.basename(p.source)}: ${p.problem.split(':')[0]}`).sort();
    assert.deepEqual(sources, ['1: plugin gone@mp', 'settings.local.json: not valid JSON']);
  });

  it('under one name, loads the one Claude Code gives precedence and reports the others at 0 tokens', async () => {
    const { items } = await readSkillInventory({ claudeDirs: [fx.claudeDir], projectDir: fx.project, homeDir: fx.home });
    // skills: the user's wins over the project's
    assert.deepEqual(bySkill(items, 'skill:review', 'user').problems, []);
    const projectReview = bySkill(items, 'skill:review', 'project');
    assert.match(projectReview.problems[0]!, /^not loaded: .*home\/\.claude\/skills\/review\/SKILL\.md defines the same name/);
    assert.equal(projectReview.alwaysLoadedTokens, 0);
    // subagents: the project's wins over the user's
    assert.deepEqual(bySkill(items, 'agent:tester', 'project').problems, []);
    assert.equal(bySkill(items, 'agent:tester', 'user').alwaysLoadedTokens, 0);
    // MCP: the project's entry in ~/.claude.json wins over the user's server
    assert.match(bySkill(items, 'mcp:github', 'user').problems[0]!, /^not loaded: .*projects\[/);
    // a .mcp.json server turned down in the project settings
    const legacy = bySkill(items, 'mcp:legacy');
    assert.match(legacy.problems[0]!, /turned off in .*settings\.json \(disabledMcpjsonServers\)/);
    assert.equal(legacy.alwaysLoadedTokens, 0);
    assert.deepEqual(bySkill(items, 'mcp:my_docs').problems, []);
  });

  it('says whether each item loads: loaded (its problems are warnings), not_loaded or off (both 0 tokens)', async () => {
    const { items } = await readSkillInventory({ claudeDirs: [fx.claudeDir], projectDir: fx.project, homeDir: fx.home });
    const state = (skill: string, scope?: string) => {
      const it = bySkill(items, skill, scope);
      return [it.state, it.alwaysLoadedTokens === null ? null : it.alwaysLoadedTokens > 0 ? '>0' : 0];
    };
    // Loads with a fallback (the first paragraph is costed): a warning, not "cannot load".
    assert.deepEqual(state('skill:plain'), ['loaded', '>0']);
    assert.deepEqual(state('skill:review', 'user'), ['loaded', '>0']);
    assert.deepEqual(state('skill:deploy'), ['loaded', 0]); // user-only: loads, its description is not loaded
    assert.deepEqual(state('skill:broken'), ['not_loaded', 0]);
    assert.deepEqual(state('skill:empty'), ['not_loaded', 0]);
    assert.deepEqual(state('agent:anon'), ['not_loaded', 0]);
    // Under one name: the copy that takes precedence loads, the other does not.
    assert.deepEqual(state('skill:review', 'project'), ['not_loaded', 0]);
    assert.deepEqual(state('agent:tester', 'user'), ['not_loaded', 0]);
    assert.deepEqual(state('agent:tester', 'project'), ['loaded', '>0']);
    // An MCP server with neither command nor url cannot load: 0, not an unknown tool list.
    assert.deepEqual(state('mcp:bad'), ['not_loaded', 0]);
    assert.deepEqual(state('mcp:github', 'user'), ['not_loaded', 0]);
    assert.deepEqual(state('mcp:github', 'project'), ['loaded', null]);
    // Turned down by the user: off, 0.
    assert.deepEqual(state('mcp:legacy'), ['off', 0]);
    assert.match(bySkill(items, 'mcp:legacy').problems[0]!, /^turned off in .*settings\.json \(disabledMcpjsonServers\)$/);
  });

  it('a name against the rule or a description over 1024 characters is a warning: the skill loads and is costed', async () => {
    const dir = path.join(root, 'warn', '.claude');
    const skill = (dirName: string, front: string) => {
      fs.mkdirSync(path.join(dir, 'skills', dirName), { recursive: true });
      fs.writeFileSync(path.join(dir, 'skills', dirName, 'SKILL.md'), `---\n${front}\n---\nBody.\n`);
    };
    skill('long-desc', `name: long-desc\ndescription: ${'word '.repeat(220).trim()}`);
    skill('bad', 'name: Bad_Name\ndescription: A skill with a name against the rule');
    const inv = await readSkillInventory({ claudeDirs: [dir], projectDir: null, homeDir: path.join(root, 'warn') });
    assert.deepEqual(
      inv.items.map((i) => [i.skill, i.state, i.problems.length, (i.alwaysLoadedTokens ?? 0) > 0]),
      [
        ['skill:Bad_Name', 'loaded', 1, true],
        ['skill:long-desc', 'loaded', 1, true],
      ],
    );
  });

  it('pairs near-identical descriptions both ways and nothing else', async () => {
    const { items } = await readSkillInventory({ claudeDirs: [fx.claudeDir], projectDir: fx.project, homeDir: fx.home });
    assert.deepEqual(bySkill(items, 'skill:review', 'user').duplicates, ['skill:review-pr']);
    assert.deepEqual(bySkill(items, 'skill:review-pr', 'user').duplicates, ['skill:review']);
    assert.deepEqual(bySkill(items, 'skill:review', 'project').duplicates, []);
    const others = items.filter((i) => i.skill !== 'skill:review' && i.skill !== 'skill:review-pr');
    assert.deepEqual(
      others.filter((i) => i.duplicates.length > 0).map((i) => i.skill),
      [],
    );
  });

  it('leaves out disabled plugins and project installs of other projects; records every place looked at', async () => {
    const inv = await readSkillInventory({ claudeDirs: [fx.claudeDir], projectDir: fx.project, homeDir: fx.home });
    assert.ok(!inv.items.some((i) => i.name.includes('hidden')));
    assert.ok(inv.searched.includes(path.join(fx.project, '.claude', 'agents')), 'missing directories are listed too');
    assert.ok(inv.searched.includes(path.join(fx.claudeDir, 'plugins', 'installed_plugins.json')));
    assert.match(inv.estimator, /characters \/ 4/);
  });

  it('without a project: user and plugin items only; a missing home gives an empty inventory', async () => {
    const inv = await readSkillInventory({ claudeDirs: [fx.claudeDir], projectDir: null, homeDir: fx.home });
    assert.ok(inv.items.every((i) => i.scope !== 'project'));
    assert.ok(inv.items.some((i) => i.skill === 'mcp:github'));
    const none = await readSkillInventory({
      claudeDirs: [path.join(root, 'nope', '.claude')],
      projectDir: path.join(root, 'nope'),
      homeDir: path.join(root, 'nope'),
    });
    assert.deepEqual(none.items, []);
    assert.deepEqual(none.sourceProblems, []);
  });

  it('a skill that is a symbolic link to a deleted directory is reported', async () => {
    const dir = path.join(root, 'links', '.claude');
    fs.mkdirSync(path.join(dir, 'skills'), { recursive: true });
    fs.symlinkSync(path.join(root, 'links', 'deleted-skill'), path.join(dir, 'skills', 'gone'));
    const inv = await readSkillInventory({ claudeDirs: [dir], projectDir: null, homeDir: path.join(root, 'links') });
    assert.deepEqual(
      inv.items.map((i) => [i.skill, i.alwaysLoadedTokens, i.problems]),
      [['skill:gone', 0, ['symbolic link to a directory that no longer exists']]],
    );
  });

  it('reads a version 1 plugin registry (one record per plugin) with a ~ install path', async () => {
    const home = path.join(root, 'v1');
    const dir = path.join(home, '.claude');
    fs.mkdirSync(path.join(dir, 'plugins', 'p', 'commands', '.hidden'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'plugins', 'p', 'commands', 'go.md'), '---\ndescription: Go\n---\n');
    fs.writeFileSync(path.join(dir, 'plugins', 'p', 'commands', '.hidden', 'no.md'), 'never read\n');
    fs.writeFileSync(
      path.join(dir, 'plugins', 'installed_plugins.json'),
      JSON.stringify({ version: 1, plugins: { 'p@m': { version: '1', installPath: '~/.claude/plugins/p' } } }),
    );
    const inv = await readSkillInventory({ claudeDirs: [dir], projectDir: null, homeDir: home });
    assert.deepEqual(
      inv.items.map((i) => [i.kind, i.scope, i.skill, i.alwaysLoadedTokens]),
      [['command', 'plugin', 'skill:p:go', 2]], // "p:go: Go" = 8 characters
    );
  });

  it("marks Session Buddy's own MCP server by its command, whatever its name: state self", async () => {
    // What the README set-up writes (`claude mcp add session-buddy -- <node> <entry> --data-dir <dir> mcp`), a copy
    // under another name in the project's entry, and another server run by node.
    const home = path.join(root, 'self-home');
    const project = path.join(root, 'self-project');
    fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
    fs.mkdirSync(project, { recursive: true });
    const entry = (dataDir: string) => ({ type: 'stdio', command: process.execPath, args: ['/opt/sb/bin/session-buddy.js', '--data-dir', dataDir, 'mcp'] });
    fs.writeFileSync(
      path.join(home, '.claude.json'),
      JSON.stringify({
        mcpServers: { 'session-buddy': entry('/home/ann/.session-buddy'), other: { command: process.execPath, args: ['/opt/other/server.js', 'mcp'] } },
        projects: { [project]: { mcpServers: { recorder: entry('/p/data') } } },
      }),
    );
    const { items } = await readSkillInventory({ claudeDirs: [path.join(home, '.claude')], projectDir: project, homeDir: home });
    assert.deepEqual(
      items.map((i) => [i.skill, i.state, i.alwaysLoadedTokens, i.problems]),
      [
        ['mcp:other', 'loaded', null, []],
        ['mcp:session-buddy', 'self', null, []],
        ['mcp:recorder', 'self', null, []],
      ],
    );
    // Registered again in the project's .mcp.json, which takes precedence: the user's copy does not load (0 tokens, the
    // problem named) but stays self, never a server to remove.
    fs.writeFileSync(path.join(project, '.mcp.json'), JSON.stringify({ mcpServers: { 'session-buddy': entry('/p/data') } }));
    const again = await readSkillInventory({ claudeDirs: [path.join(home, '.claude')], projectDir: project, homeDir: home });
    const user = bySkill(again.items, 'mcp:session-buddy', 'user');
    assert.deepEqual([user.state, user.alwaysLoadedTokens], ['self', 0]);
    assert.match(user.problems[0]!, /^not loaded: .*\.mcp\.json defines the same name and takes precedence$/);
    assert.deepEqual(bySkill(again.items, 'mcp:session-buddy', 'project').state, 'self');
  });

  it('under CLAUDE_CONFIG_DIR, MCP servers come from <dir>/.claude.json', async () => {
    const alt = path.join(root, 'alt');
    fs.mkdirSync(alt, { recursive: true });
    fs.writeFileSync(path.join(alt, '.claude.json'), JSON.stringify({ mcpServers: { only: { command: 'x' } } }));
    const inv = await readSkillInventory({ claudeDirs: [alt], projectDir: null, homeDir: fx.home });
    assert.deepEqual(
      inv.items.map((i) => i.skill),
      ['mcp:only'],
    );
  });
});
