import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS } from '../../insights/skill-report.js';
import type { skillReportJson } from '../../mcp/tools/get-skill-report.js';
import type { CliContext } from '../context.js';
import { checkFlags, checksEmpty, fieldFlags, intFlag } from '../flags.js';
import { openAppToRead } from '../read-only.js';
import { terminalWidth, wrap } from '../wrap.js';

interface SkillsOpts {
  days: string;
  skill?: string;
  user?: string;
  project?: string;
  limit: string;
  json?: boolean;
}

type ReportJson = ReturnType<typeof skillReportJson>;

function nonEmpty(flag: string, raw: string | undefined): void {
  if (raw !== undefined && raw.trim() === '') throw AppError.invalid(flag, 'must not be empty');
}

/** A cost cell: USD per invocation and total, "unknown" when a call has no price, "-" when nothing was attributed. */
function costCell(c: NonNullable<ReportJson['skills'][number]['usage']>['cost']['stamped']): string {
  if (c === null) return '-';
  if (c.cost_usd === null) return `unknown (${c.unpriced_calls} unpriced)`;
  return `$${c.cost_usd.toFixed(4)}${c.cost_per_invocation_usd === null ? '' : ` ($${c.cost_per_invocation_usd.toFixed(4)}/inv)`}`;
}

/**
 * The telemetry cost cell: the total only (Claude Code's own cost_usd of the
 * api_request events naming the skill; those calls are not linked to
 * invocations), which keeps the column narrow.
 */
function telemetryCell(c: NonNullable<ReportJson['skills'][number]['usage']>['cost']['telemetry']): string {
  if (c === null) return '-';
  if (c.cost_usd === null) return `unknown (${c.unpriced_calls} unpriced)`;
  return `$${c.cost_usd.toFixed(4)}`;
}

const ms = (v: number | null) => (v === null ? '-' : v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`);

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Typed activations of all (the agent's and the user's), and the slash-after-miss candidates, marked as an estimate. */
function typedCell(a: NonNullable<ReportJson['skills'][number]['usage']>['activations'] | null): string {
  if (!a) return '-';
  return `${a.typed}/${a.model + a.typed}${a.candidate_misses > 0 ? ` (~${a.candidate_misses} missed)` : ''}`;
}

/** How many of an MCP server's tools its row names before saying how many more (as the dashboard's Skills view). */
const TOOLS_SHOWN = 5;

/**
 * The tools an MCP server's row sums (`mcp__github__create_issue`, as recorded), the first few and how
 * many more: shown under the row, as the dashboard shows them under its name; null for other rows.
 */
function toolsLine(tools: readonly string[]): string | null {
  if (tools.length === 0) return null;
  const more = tools.length > TOOLS_SHOWN ? `, … ${tools.length - TOOLS_SHOWN} more` : '';
  return `tools: ${tools.slice(0, TOOLS_SHOWN).join(', ')}${more}`;
}

const percent = (rate: number | null | undefined) => (rate == null ? '-' : `${(rate * 100).toFixed(0)}%`);

/** With a user (`--user`): that user's own figures, first, under headers that say so (the other columns are across users). */
const YOUR_HEAD = ['YOUR USES (ALL TIME)', 'YOUR OK (ALL TIME)', 'YOUR LAST USED', 'YOUR COST STAMPED', 'YOUR COST BOUNDED', 'YOUR COST TELEMETRY'];

function yourCells(you: ReportJson['skills'][number]['you']): string[] {
  if (you === null) return YOUR_HEAD.map(() => '-');
  return [
    String(you.invocations_all_time),
    percent(you.success_rate_all_time),
    (you.last_used ?? '-').slice(0, 10),
    costCell(you.cost.stamped),
    costCell(you.cost.bounded),
    telemetryCell(you.cost.telemetry),
  ];
}

/**
 * One skill in a few lines (a terminal narrower than the table): name and verdict, then the
 * figures that were measured (`-` cells are left out), then the reason, each wrapped to `width`.
 */
function block(head: string[], row: string[], tools: string | null, width: number): string[] {
  const cell = (h: string) => row[head.indexOf(h)]!;
  const parts = (pairs: Array<[string, string]>) =>
    pairs
      .filter(([, v]) => v !== '-')
      .map(([label, v]) => `${label} ${v}`)
      .join(', ');
  const lines = [
    `${cell('SKILL')}: ${cell('VERDICT')}`,
    tools ?? '',
    parts(head.filter((h) => h.startsWith('YOUR ')).map((h) => [h.toLowerCase(), cell(h)])),
    parts([
      ['uses', cell('USES')],
      ['ok', cell('OK')],
      ['p50', cell('P50')],
      ['p95', cell('P95')],
      ['last used', cell('LAST USED')],
      ['trend', cell('TREND')],
    ]),
    parts([
      ['typed', cell('TYPED')],
      ['loaded', cell('LOADED')],
    ]),
    parts([
      ['cost stamped', cell('COST STAMPED')],
      ['bounded', cell('COST BOUNDED')],
      ['telemetry', cell('COST TELEMETRY')],
    ]),
    cell('REASON'),
  ];
  return lines.flatMap((l, i) => (l === '' ? [] : i === 0 ? wrap(l, width, '  ') : wrap(`  ${l}`, width, '    ')));
}

/**
 * The report as text: a table of one line per skill, or, given the width of a terminal narrower
 * than that table, a few lines per skill with every line wrapped to the width.
 */
export function renderSkillReport(r: ReportJson, user: string | undefined, width: number | null = null): string {
  const perUser = r.per_user;
  const head = [
    'SKILL',
    ...(perUser ? YOUR_HEAD : []),
    'USES',
    'OK',
    'P50',
    'P95',
    'TYPED',
    'COST STAMPED',
    'COST BOUNDED',
    'COST TELEMETRY',
    'LOADED',
    'LAST USED',
    'TREND',
    'VERDICT',
    'REASON',
  ];
  const rows = [head];
  const tools = r.skills.map((s) => toolsLine(s.tools));
  for (const s of r.skills) {
    const u = s.usage;
    rows.push([
      s.skill,
      ...(perUser ? yourCells(s.you) : []),
      u === null ? 'withheld' : String(u.invocations),
      percent(u?.success_rate),
      ms(u?.p50_duration_ms ?? null),
      ms(u?.p95_duration_ms ?? null),
      typedCell(u?.activations ?? null),
      u === null ? '-' : costCell(u.cost.stamped),
      u === null ? '-' : costCell(u.cost.bounded),
      u === null ? '-' : telemetryCell(u.cost.telemetry),
      s.always_loaded_tokens === null ? (s.installed ? '?' : '-') : `${s.always_loaded_tokens} tok`,
      (u?.last_used ?? '-').slice(0, 10),
      u?.trend.usage ?? '-',
      s.verdict,
      s.reason,
    ]);
  }
  const lines = [`skills over the last ${r.window.days} days (${r.window.from.slice(0, 16)} to ${r.window.to.slice(0, 16)} UTC)`, ''];
  const tabled = table(rows);
  const narrow = width !== null && tabled.some((l) => l.length > width);
  if (r.skills.length === 0) lines.push(r.withheld_skills > 0 ? 'nothing to list (withheld skills only)' : 'nothing recorded or installed');
  else if (!narrow) {
    // An MCP server's row, then the tools it sums on a line of their own under its name (not a column: they would widen the table).
    const under = (t: string) => (width === null ? [`  ${t}`] : wrap(`  ${t}`, width, '    '));
    lines.push(tabled[0]!, ...tabled.slice(1).flatMap((l, i) => [l, ...(tools[i] ? under(tools[i]) : [])]));
  } else lines.push(...rows.slice(1).flatMap((row, i) => [...(i > 0 ? [''] : []), ...block(head, row, tools[i] ?? null, width)]));
  const v = r.verdicts;
  lines.push(
    '',
    `${r.total_skills} skill(s)${r.skills.length < r.total_skills ? `, ${r.skills.length} listed` : ''}: ${v.keep} keep, ${v.review} review, ${v.remove} remove`,
    r.inventory.read
      ? `installed: ${r.inventory.items} item(s), always-loaded ~${r.inventory.always_loaded_tokens ?? 0} tokens every session` +
          (r.inventory.mcp_servers_not_counted > 0
            ? ` plus the tool lists of ${r.inventory.mcp_servers_not_counted} MCP server(s) (not known from the configuration)`
            : '')
      : `inventory not read${r.inventory.error ? `: ${r.inventory.error}` : ''}`,
    'cost: attributed API calls in the window, per rule (stamped, bounded: total and per invocation; telemetry: the total Claude Code reported); "unknown" = a call of a model without a price, "-" = nothing attributed under that rule (not measured)',
  );
  if (perUser) {
    lines.push(
      `YOUR ...: the figures of ${user === undefined ? 'the user' : `user ${user}`}: uses and success rate all time, last use, attributed costs in the window; the other columns are across users`,
      `figures across users are shown only where at least ${r.community_min_users} users contribute ("withheld" otherwise)`,
    );
    if (r.withheld_skills > 0) {
      lines.push(
        `${r.withheld_skills} skill(s) withheld, not listed: fewer than ${r.community_min_users} users used them in the window, ` +
          `${user === undefined ? 'the user' : `user ${user}`} did not, and they are not installed`,
      );
    }
  }
  lines.push(`rules: ${r.verdict_rule}`);
  lines.push(`typed: activations the user typed / all activations, with the candidate misses (~, an estimate): ${r.activation_rule}`);
  return `${(narrow ? lines.flatMap((l) => wrap(l, width, '  ')) : lines).join('\n')}\n`;
}

/** `skills`: the skill report (see insights/skill-report.ts) as a table or JSON. */
export function registerSkillsCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('skills')
    .description(
      'one line per skill: uses, success, p50/p95, cost per attribution (stamped, bounded, telemetry), always-loaded tokens, last use, trend and a keep/review/remove verdict',
    )
    .option('--days <n>', `window: the last N days (1-${MAX_REPORT_DAYS})`, String(DEFAULT_REPORT_DAYS))
    .option('--skill <name>', 'only this skill (skill:x, agent:x, mcp:server or a recorded name)')
    .option('--user <id>', "this user's own figures (others' only where at least k users contribute)")
    .option('--project <dir>', 'project whose .claude/ items count as installed (default: the current directory)')
    .option('--limit <n>', 'at most this many skills, most used first', '100')
    .option('--json', 'print the report as JSON (the get_skill_report answer)')
    .action(async (opts: SkillsOpts, cmd: Command) => {
      const { days, limit, project } = checkFlags({
        days: () => intFlag('--days', opts.days, 1, MAX_REPORT_DAYS),
        limit: () => intFlag('--limit', opts.limit, 1, 1000),
        skill: () => nonEmpty('--skill', opts.skill),
        user: () => nonEmpty('--user', opts.user),
        project: () => {
          const dir = path.resolve(ctx.cwd, opts.project ?? '.');
          if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw AppError.invalid('--project', `must be an existing directory: ${dir}`);
          return dir;
        },
      });
      const app = await openAppToRead(ctx.config(cmd), ctx);
      try {
        const report = await app.skillReport.report({
          days,
          limit,
          ...(opts.skill !== undefined ? { skill: opts.skill.trim() } : {}),
          subjectHash: opts.user === undefined ? null : app.hashUser(opts.user.trim()),
          projectDir: project,
        });
        const json = (await import('../../mcp/tools/get-skill-report.js')).skillReportJson(report);
        // On a terminal the table gives way to a few lines per skill when it is wider than the window.
        const width = terminalWidth(ctx.stdout);
        ctx.stdout.write(opts.json ? `${JSON.stringify(json, null, 2)}\n` : renderSkillReport(json, opts.user?.trim(), width));
      } finally {
        await app.close();
      }
    });
  fieldFlags(command, { skill: '--skill' });
  checksEmpty(command, ['--skill', '--user']);
}
