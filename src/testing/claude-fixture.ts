/**
 * A hand-made Claude Code configuration for inventory tests: a home with
 * `.claude/` (skills, commands, subagents, an installed plugin, settings) and
 * `.claude.json`, and a project with `.claude/` and `.mcp.json`. Every case
 * the inventory must report is here once: valid, unparseable front matter, no
 * SKILL.md, no description, near-duplicate descriptions, a subagent without
 * a name, a user-only skill, a plugin whose install is gone, a disabled
 * plugin, an MCP server without command or url, a turned-down .mcp.json
 * server, names defined twice, a broken JSON file.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ClaudeFixture {
  home: string;
  claudeDir: string;
  project: string;
  pluginRoot: string;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const md = (front: string, body = 'Instructions.\n'): string => `---\n${front}\n---\n${body}`;

export function makeClaudeFixture(root: string): ClaudeFixture {
  const home = path.join(root, 'home');
  const claudeDir = path.join(home, '.claude');
  const project = path.join(root, 'project');
  const pluginRoot = path.join(claudeDir, 'plugins', 'cache', 'mp', 'lint', '1.0.0');

  // user skills
  write(path.join(claudeDir, 'skills', 'review', 'SKILL.md'), md('name: review\ndescription: Review a pull request for bugs and style problems'));
  write(path.join(claudeDir, 'skills', 'review2', 'SKILL.md'), md('name: review-pr\ndescription: Review a pull request for bugs and style issues'));
  write(path.join(claudeDir, 'skills', 'broken', 'SKILL.md'), md('name: broken\ndescription: oops: a colon breaks YAML'));
  fs.mkdirSync(path.join(claudeDir, 'skills', 'empty'), { recursive: true });
  write(path.join(claudeDir, 'skills', 'plain', 'SKILL.md'), '# Plain\n\nFormats tables in Markdown.\n\nMore text.\n');
  // user command (in a subdirectory) and subagents
  write(path.join(claudeDir, 'commands', 'git', 'commit.md'), md('description: Commit the staged changes with a message'));
  write(path.join(claudeDir, 'agents', 'tester.md'), md('name: tester\ndescription: Runs the test suite and reports failures\ntools: Bash'));
  write(path.join(claudeDir, 'agents', 'anon.md'), md('description: An agent without a name'));

  // plugins: lint (installed), gone (install directory deleted), off (disabled in settings)
  write(path.join(pluginRoot, '.claude-plugin', 'plugin.json'), JSON.stringify({ name: 'lint' }));
  write(path.join(pluginRoot, 'skills', 'fix', 'SKILL.md'), md('name: fix\ndescription: Fix lint errors in the changed files'));
  write(path.join(pluginRoot, 'commands', 'run.md'), md('description: Run the linter'));
  write(path.join(pluginRoot, 'agents', 'style.md'), md('name: style\ndescription: Checks code style'));
  write(path.join(pluginRoot, '.mcp.json'), JSON.stringify({ mcpServers: { eslint: { command: 'eslint-mcp' } } }));
  const offRoot = path.join(claudeDir, 'plugins', 'cache', 'mp', 'off', '1');
  write(path.join(offRoot, 'skills', 'hidden', 'SKILL.md'), md('name: hidden\ndescription: Never loaded'));
  write(
    path.join(claudeDir, 'plugins', 'installed_plugins.json'),
    JSON.stringify({
      version: 2,
      plugins: {
        'lint@mp': [{ scope: 'user', installPath: pluginRoot, version: '1.0.0' }],
        'gone@mp': [{ scope: 'user', installPath: path.join(claudeDir, 'plugins', 'cache', 'mp', 'gone', '1') }],
        'off@mp': [{ scope: 'user', installPath: offRoot }],
        'other@mp': [{ scope: 'project', projectPath: path.join(root, 'elsewhere'), installPath: offRoot }],
      },
    }),
  );
  write(path.join(claudeDir, 'settings.json'), JSON.stringify({ enabledPlugins: { 'lint@mp': true, 'off@mp': false } }));

  // MCP servers: user and per-project in ~/.claude.json, project in .mcp.json
  write(
    path.join(home, '.claude.json'),
    JSON.stringify({
      mcpServers: { github: { type: 'http', url: 'https://example.invalid/mcp' }, bad: { type: 'stdio' } },
      projects: { [project]: { mcpServers: { db: { command: 'db-mcp' }, github: { command: 'local-github-mcp' } } } },
    }),
  );
  write(path.join(project, '.mcp.json'), JSON.stringify({ mcpServers: { 'my.docs': { command: 'docs-mcp' }, legacy: { command: 'old-mcp' } } }));
  write(path.join(project, '.claude', 'settings.json'), JSON.stringify({ disabledMcpjsonServers: ['legacy'] }));

  // project skill (user-only) and command without front matter; broken settings.local.json
  write(
    path.join(project, '.claude', 'skills', 'deploy', 'SKILL.md'),
    md('name: deploy\ndescription: Deploy the service to production\ndisable-model-invocation: true'),
  );
  // same names as the user's: the user's skill wins, the project's subagent wins
  write(path.join(project, '.claude', 'skills', 'review', 'SKILL.md'), md('name: review\ndescription: The project checklist for reviews'));
  write(path.join(project, '.claude', 'agents', 'tester.md'), md('name: tester\ndescription: Runs only the fast unit tests'));
  write(path.join(project, '.claude', 'commands', 'hello.md'), 'Say hello to the user\n\nThen stop.\n');
  write(path.join(project, '.claude', 'settings.local.json'), '{ not json');
  return { home, claudeDir, project, pluginRoot };
}
