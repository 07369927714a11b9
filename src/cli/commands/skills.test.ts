import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { openApp } from '../../app.js';
import { parseConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { makeClaudeFixture } from '../../testing/claude-fixture.js';
import { renderSkillReport } from './skills.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-skills-cli-'));
const dataDir = path.join(root, 'data');
const claude = path.join(root, 'claude');
const project = path.join(root, 'project');

function run(args: string[], input?: string, env: Record<string, string> = { HOME: root, CLAUDE_CONFIG_DIR: claude }) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    input,
    cwd: project,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('session-buddy skills', () => {
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('prints the report as a table and as JSON, with installed-but-unused items', () => {
    fs.mkdirSync(project, { recursive: true });
    for (const name of ['pdf', 'idle']) {
      fs.mkdirSync(path.join(claude, 'skills', name), { recursive: true });
      fs.writeFileSync(path.join(claude, 'skills', name, 'SKILL.md'), `---\nname: ${name}\ndescription: The ${name} skill does ${name} things\n---\n`);
    }
    const now = Date.now();
    const rows = Array.from({ length: 6 }, (_, i) => ({
      skill_name: 'skill:pdf',
      user_id: 'bob',
      session_id: 's1',
      workflow_phase: 'implementation',
      completed: i !== 0,
      duration_ms: 100 * (i + 1),
      invoked_at: now - (i + 1) * 3_600_000,
    }));
    const rec = run(['record', '--json'], JSON.stringify(rows));
    assert.equal(rec.code, 0, rec.err);

    const table = run(['skills']);
    assert.equal(table.code, 0, table.err);
    const lines = table.out.split('\n');
    assert.match(
      lines[2]!,
      /^SKILL\s+USES\s+OK\s+P50\s+P95\s+TYPED\s+COST STAMPED\s+COST BOUNDED\s+COST TELEMETRY\s+LOADED\s+LAST USED\s+TREND\s+VERDICT\s+REASON$/,
    );
    // 6 uses, 5 succeeded (83 %); no cost attributed: "-", never $0.
    assert.match(
      table.out,
      /skill:pdf\s+6\s+83%\s+\S+\s+\S+\s+-\s+-\s+-\s+-\s+\d+ tok\s+\d{4}-\d\d-\d\d\s+\S+\s+keep\s+used 6× in the last 30 days, 83.3% succeeded/,
    );
    assert.match(table.out, /skill:idle\s+0\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+\d+ tok\s+-\s+\S+\s+remove\s+installed but never used/);
    assert.match(table.out, /2 skill\(s\): 1 keep, 0 review, 1 remove/);

    const json = run(['skills', '--json', '--skill', 'skill:pdf', '--days', '7']);
    assert.equal(json.code, 0, json.err);
    const r = JSON.parse(json.out);
    assert.equal(r.window.days, 7);
    assert.deepEqual(
      r.skills.map((s: { skill: string; usage: { invocations: number }; verdict: string }) => [s.skill, s.usage.invocations, s.verdict]),
      [['skill:pdf', 6, 'keep']],
    );
  });

  it('gives each skill a few lines, every line within the width, on a terminal narrower than the table', () => {
    const json = run(['skills', '--json']);
    assert.equal(json.code, 0, json.err);
    const report = JSON.parse(json.out);
    const table = renderSkillReport(report, undefined, null);
    assert.ok(
      table.split('\n').some((l) => l.length > 80),
      'the table is wider than 80 columns',
    );
    // A terminal wide enough keeps the table.
    assert.equal(renderSkillReport(report, undefined, 1000), table);
    const narrow = renderSkillReport(report, undefined, 80);
    const lines = narrow.split('\n');
    assert.deepEqual(
      lines.filter((l) => l.length > 80),
      [],
    );
    const pdf = lines.indexOf('skill:pdf: keep');
    assert.ok(pdf > 0, narrow);
    assert.match(lines[pdf + 1]!, /^ {2}uses 6, ok 83%, p50 \S+, p95 \S+, last used \d{4}-\d\d-\d\d, trend \S+$/);
    assert.match(lines[pdf + 2]!, /^ {2}loaded \d+ tok$/);
    // Nothing attributed: no cost line (the legend says "-" = not measured), then the reason.
    assert.equal(lines[pdf + 3], '  used 6× in the last 30 days, 83.3% succeeded');
    assert.ok(lines.includes('skill:idle: remove'), narrow);
    assert.match(narrow, /\n2 skill\(s\): 1 keep, 0 review, 1 remove\n/);
    // The long legend lines are wrapped, continued with an indent.
    assert.match(narrow, /\nrules: .*\n {2}\S/);
  });

  it('breaks a skill name wider than the terminal after a separator, so that no line wraps twice', () => {
    const json = run(['skills', '--json']);
    assert.equal(json.code, 0, json.err);
    const report = JSON.parse(json.out);
    const pdf = report.skills.find((s: { skill: string }) => s.skill === 'skill:pdf');
    const names = ['mcp__github__create_or_update_file_contents_in_repository', `skill:${'x'.repeat(70)}`];
    report.skills.push(...names.map((skill) => ({ ...pdf, skill })));
    for (const width of [50, 40]) {
      const lines = renderSkillReport(report, undefined, width).split('\n');
      assert.deepEqual(
        lines.filter((l) => l.length > width),
        [],
        `width ${width}`,
      );
      // Each name whole over its lines (the next line indented), broken after a separator where it has one.
      for (const name of names) {
        const at = lines.findIndex((l) => l !== '' && name.startsWith(l));
        const end = lines.findIndex((l, i) => i > at && l.endsWith('keep'));
        assert.ok(at > 0 && end > at, lines.join('\n'));
        const parts = lines.slice(at, end + 1);
        assert.ok(
          parts.slice(1).every((l) => /^ {2}\S/.test(l)),
          parts.join('\n'),
        );
        assert.equal(parts.join('').replace(/\s/g, ''), `${name}:keep`);
        if (name.startsWith('mcp__')) assert.match(parts[0]!, /_$/, parts.join('\n'));
      }
    }
  });

  it('the installed total is the known tokens plus how many MCP servers it leaves out, as inventory says; verdicts follow what loads', () => {
    fs.mkdirSync(project, { recursive: true });
    const fx = makeClaudeFixture(path.join(root, 'fx'));
    const env = { HOME: fx.home };
    const now = Date.now();
    const rec = run(
      ['record', '--json'],
      JSON.stringify([
        {
          skill_name: 'skill:gone',
          user_id: 'bob',
          session_id: 's2',
          workflow_phase: 'implementation',
          completed: true,
          duration_ms: 5,
          invoked_at: now - 3_600_000,
        },
      ]),
      env,
    );
    assert.equal(rec.code, 0, rec.err);
    const inv = run(['inventory', '--project', fx.project], undefined, env);
    assert.equal(inv.code, 0, inv.err);
    const total = /always-loaded context: ~(\d+) tokens every session plus the tool lists of (\d+) MCP server/.exec(inv.out);
    assert.ok(total, inv.out);
    const table = run(['skills', '--project', fx.project], undefined, env);
    assert.equal(table.code, 0, table.err);
    assert.match(
      table.out,
      new RegExp(`\\ninstalled: 22 item\\(s\\), always-loaded ~${total[1]} tokens every session plus the tool lists of ${total[2]} MCP server\\(s\\) `),
    );
    assert.match(table.out, /skill:plain .* remove\s+installed but never used; it adds about \d+ tokens to every session\n/);
    assert.match(table.out, /mcp:legacy .* keep\s+turned off in .*settings\.json \(disabledMcpjsonServers\): not loaded, costs nothing\n/);
    assert.match(table.out, /skill:gone .* review\s+used 1× in the last 30 days but not installed: install it or stop relying on it\n/);
    assert.doesNotMatch(table.out.split('\nrules: ')[0]!, /cannot load|no longer installed/);
  });

  it("right after the README set-up, never tells the user to remove Session Buddy's own MCP server", () => {
    fs.mkdirSync(project, { recursive: true });
    const home = path.join(root, 'setup-home');
    fs.mkdirSync(home, { recursive: true });
    // What `claude mcp add --scope user <name> -- <node> <entry> --data-dir <dir> mcp` writes, under the README's name and another.
    const server = { type: 'stdio', command: process.execPath, args: [BIN, '--data-dir', dataDir, 'mcp'] };
    fs.writeFileSync(path.join(home, '.claude.json'), JSON.stringify({ mcpServers: { 'session-buddy': server, recorder: server } }));
    const table = run(['skills'], undefined, { HOME: home });
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /\nmcp:session-buddy .* keep\s+this tool \(records the others\)\n/);
    assert.match(table.out, /\nmcp:recorder .* keep\s+this tool \(records the others\)\n/);
    assert.match(table.out, /\d+ keep, \d+ review, 0 remove\n/);
  });

  it('under a name defined twice, reports the definition Claude Code loads, also when that is Session Buddy itself', () => {
    fs.mkdirSync(project, { recursive: true });
    const home = path.join(root, 'shadow-home');
    fs.mkdirSync(home, { recursive: true });
    // A user-scope server named session-buddy that is something else, shadowed by the project's entry (local scope wins).
    const other = { type: 'stdio', command: 'other-tool', args: ['serve'] };
    const self = { type: 'stdio', command: process.execPath, args: [BIN, '--data-dir', dataDir, 'mcp'] };
    fs.writeFileSync(
      path.join(home, '.claude.json'),
      JSON.stringify({ mcpServers: { 'session-buddy': other }, projects: { [project]: { mcpServers: { 'session-buddy': self } } } }),
    );
    const table = run(['skills', '--project', project], undefined, { HOME: home });
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /\nmcp:session-buddy .* keep\s+this tool \(records the others\)/);
  });

  it("with --user, the table shows the user's own figures beside the figures across users (withheld below k)", () => {
    fs.mkdirSync(project, { recursive: true });
    const home = path.join(root, 'user-home');
    fs.mkdirSync(home, { recursive: true });
    const now = Date.now();
    const rows = Array.from({ length: 6 }, (_, i) => ({
      skill_name: 'skill:foo',
      user_id: 'alice',
      session_id: 'sa',
      workflow_phase: 'implementation',
      completed: i % 3 !== 0,
      duration_ms: 100 * (i + 1),
      invoked_at: now - (i + 1) * 3_600_000,
    }));
    const rec = run(['record', '--json'], JSON.stringify(rows), { HOME: home });
    assert.equal(rec.code, 0, rec.err);

    const json = run(['skills', '--skill', 'skill:foo', '--user', 'alice', '--json'], undefined, { HOME: home });
    assert.equal(json.code, 0, json.err);
    const you = JSON.parse(json.out).skills[0].you;
    assert.deepEqual([you.invocations_all_time, you.success_rate_all_time], [6, 0.6667]);

    const table = run(['skills', '--skill', 'skill:foo', '--user', 'alice'], undefined, { HOME: home });
    assert.equal(table.code, 0, table.err);
    const lines = table.out.split('\n');
    assert.match(
      lines[2]!,
      /^SKILL\s+YOUR USES \(ALL TIME\)\s+YOUR OK \(ALL TIME\)\s+YOUR LAST USED\s+YOUR COST STAMPED\s+YOUR COST BOUNDED\s+YOUR COST TELEMETRY\s+USES\s+OK\s+P50\s+P95\s+TYPED\s+COST STAMPED\s+COST BOUNDED\s+COST TELEMETRY\s+LOADED\s+LAST USED\s+TREND\s+VERDICT\s+REASON$/,
    );
    // Alice's 6 uses, 4 succeeded (67 %), last used today; everyone's figures are withheld (1 user < k = 5).
    assert.match(
      lines[3]!,
      new RegExp(
        `^skill:foo\\s+6\\s+67%\\s+${new Date(now - 3_600_000).toISOString().slice(0, 10)}\\s+-\\s+-\\s+-\\s+withheld\\s+-\\s+-\\s+-\\s+-\\s+-\\s+-\\s+-\\s+-\\s+-\\s+-\\s+keep\\s`,
      ),
    );
    assert.match(
      table.out,
      /\nYOUR \.\.\.: the figures of user alice: uses and success rate all time, last use, attributed costs in the window; the other columns are across users\n/,
    );

    // carol used nothing: every recorded skill (alice's foo, bob's pdf, ...: fewer than k users each, nothing installed
    // here) is withheld from her, not named, only counted; the admin's report (no --user) lists them all.
    const all = JSON.parse(run(['skills', '--json'], undefined, { HOME: home }).out);
    assert.equal(all.inventory.items, 0);
    assert.ok(['skill:foo', 'skill:pdf'].every((n) => all.skills.some((r: { skill: string }) => r.skill === n)));
    const carol = run(['skills', '--user', 'carol'], undefined, { HOME: home });
    assert.equal(carol.code, 0, carol.err);
    assert.doesNotMatch(carol.out, /skill:foo|skill:pdf/);
    assert.match(carol.out, /\nnothing to list \(withheld skills only\)\n/);
    assert.match(
      carol.out,
      new RegExp(
        `\\n${all.total_skills} skill\\(s\\) withheld, not listed: fewer than 5 users used them in the window, user carol did not, and they are not installed\\n`,
      ),
    );
    const carolJson = JSON.parse(run(['skills', '--user', 'carol', '--json'], undefined, { HOME: home }).out);
    assert.deepEqual([carolJson.skills, carolJson.withheld_skills], [[], all.total_skills]);
  });

  it('shows a cost measured only by telemetry in its own column, not as "-" (nothing attributed)', async () => {
    fs.mkdirSync(project, { recursive: true });
    const now = Date.now();
    const rec = run(
      ['record', '--json'],
      JSON.stringify([
        {
          skill_name: 'skill:tele',
          user_id: 'bob',
          session_id: 'st',
          workflow_phase: 'implementation',
          completed: true,
          duration_ms: 5,
          invoked_at: now - 3_600_000,
        },
      ]),
    );
    assert.equal(rec.code, 0, rec.err);
    const app = await openApp(parseConfig({ flags: { dataDir }, env: { SESSION_BUDDY_AUDIT: 'off' } }), { logger: createLogger('silent') });
    try {
      await app.stores.skillCosts.record([
        {
          key: 'req_tele:telemetry',
          skill: 'skill:tele',
          attribution: 'telemetry',
          userHash: app.hashUser('bob'),
          sessionKey: 'st',
          model: 'claude-opus-4',
          at: now - 3_000_000,
          inputTokens: 10,
          outputTokens: 5,
          cacheWriteTokens: 0,
          cacheWrite1hTokens: null,
          cacheReadTokens: 0,
          costUsd: 0.0123,
        },
      ]);
    } finally {
      await app.close();
    }
    const json = run(['skills', '--json', '--skill', 'skill:tele']);
    assert.equal(json.code, 0, json.err);
    assert.deepEqual((({ cost_usd, cost }) => ({ cost_usd, cost }))(JSON.parse(json.out).skills[0].usage.cost.telemetry), {
      cost_usd: 0.0123,
      cost: 'measured',
    });
    const table = run(['skills', '--skill', 'skill:tele']);
    assert.equal(table.code, 0, table.err);
    // stamped and bounded: nothing attributed ("-"); telemetry: the total Claude Code reported.
    assert.match(table.out, /\nskill:tele\s+1\s+100%\s+\S+\s+\S+\s+-\s+-\s+-\s+\$0\.0123\s+/);
    assert.match(
      table.out,
      /telemetry: the total Claude Code reported\); "unknown" = a call of a model without a price, "-" = nothing attributed under that rule/,
    );
  });

  it("lists the tools an MCP server's row sums on an indented line under it, the first five and how many more", () => {
    fs.mkdirSync(project, { recursive: true });
    const home = path.join(root, 'tools-home');
    fs.mkdirSync(home, { recursive: true });
    const now = Date.now();
    const call = (skill_name: string, i: number) => ({
      skill_name,
      user_id: 'bob',
      session_id: 'sg',
      workflow_phase: 'implementation',
      completed: true,
      duration_ms: 5,
      invoked_at: now - (i + 1) * 60_000,
    });
    const github = ['create_issue', 'list_issues', 'get_issue', 'add_comment', 'list_pulls', 'merge_pull', 'get_file'].map((t) => `mcp__github__${t}`);
    const rec = run(['record', '--json'], JSON.stringify([...github.map(call), call('mcp__slack__post', 9), call('mcp__slack__read', 10)]), { HOME: home });
    assert.equal(rec.code, 0, rec.err);
    const sorted = [...github].sort();

    const table = run(['skills'], undefined, { HOME: home });
    assert.equal(table.code, 0, table.err);
    const lines = table.out.split('\n');
    const gh = lines.findIndex((l) => l.startsWith('mcp:github '));
    assert.ok(gh > 2, table.out);
    assert.match(lines[gh]!, /^mcp:github\s+7\s+100%\s/);
    assert.equal(lines[gh + 1], `  tools: ${sorted.slice(0, 5).join(', ')}, … 2 more`);
    const slack = lines.findIndex((l) => l.startsWith('mcp:slack '));
    assert.equal(lines[slack + 1], '  tools: mcp__slack__post, mcp__slack__read');
    // Rows of anything else have no such line: the next line is another row (or the blank line after the table).
    for (const [i, l] of lines.entries()) if (l.startsWith('  tools: ')) assert.match(lines[i - 1]!, /^mcp:/);
    // JSON lists them all, as before.
    const json = JSON.parse(run(['skills', '--json', '--skill', 'mcp:github'], undefined, { HOME: home }).out);
    assert.deepEqual(json.skills[0].tools, sorted);

    // On a narrow terminal the line follows the name, wrapped to the width like the rest of the skill's lines.
    const all = JSON.parse(run(['skills', '--json'], undefined, { HOME: home }).out);
    const narrow = renderSkillReport(all, undefined, 60).split('\n');
    assert.deepEqual(
      narrow.filter((l) => l.length > 60),
      [],
    );
    const at = narrow.indexOf('mcp:github: keep');
    assert.ok(at > 0, narrow.join('\n'));
    const block = narrow.slice(at + 1, narrow.indexOf('', at));
    const toolLines = block.slice(
      0,
      block.findIndex((l) => /^ {2}uses /.test(l)),
    );
    assert.match(toolLines[0]!, /^ {2}tools: mcp__github__add_comment,/);
    assert.ok(
      toolLines.slice(1).every((l) => /^ {4}\S/.test(l)),
      toolLines.join('\n'),
    );
    assert.equal(toolLines.join(' ').replace(/\s+/g, ' ').trim(), `tools: ${sorted.slice(0, 5).join(', ')}, … 2 more`);
  });

  it('names the flag on bad input and exits 2', () => {
    const days = run(['skills', '--days', '0']);
    assert.equal(days.code, 2);
    assert.match(days.err, /--days: must be an integer between 1 and 365/);
    const proj = run(['skills', '--project', path.join(root, 'missing')]);
    assert.equal(proj.code, 2);
    assert.match(proj.err, /--project: must be an existing directory/);
    const none = run(['skills', '--skill', 'skill:nope']);
    assert.notEqual(none.code, 0);
    assert.equal(none.err, "error: --skill: 'skill:nope' was never recorded and is not installed\n");
    const tool = run(['skills', '--skill', 'mcp__slack__post']);
    assert.equal(tool.code, 2);
    assert.match(tool.err, /^error: --skill: 'mcp__slack__post' is a tool of the MCP server 'mcp:slack'/);
  });
});
