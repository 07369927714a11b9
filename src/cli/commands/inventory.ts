import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { readSkillInventory, type SkillInventoryResult } from '../../capture/skill-inventory.js';
import { AppError } from '../../errors.js';
import { type CliContext, homeOf } from '../context.js';

interface InventoryOpts {
  project?: string;
  json?: boolean;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function render(inv: SkillInventoryResult, project: string): string {
  const rows = [['KIND', 'SCOPE', 'NAME', 'TOKENS', 'PROBLEMS', 'DUPLICATES']];
  for (const it of inv.items) {
    rows.push([
      it.kind,
      it.scope,
      it.modelInvocable === false ? `${it.name} (user-only)` : it.name,
      it.alwaysLoadedTokens === null ? '?' : String(it.alwaysLoadedTokens),
      it.problems.length === 0 ? '-' : it.problems.join('; '),
      it.duplicates.length === 0 ? '-' : it.duplicates.join(', '),
    ]);
  }
  const known = inv.items.filter((i) => i.alwaysLoadedTokens !== null);
  const total = known.reduce((s, i) => s + (i.alwaysLoadedTokens ?? 0), 0);
  const unknown = inv.items.length - known.length;
  const count = (k: string) => inv.items.filter((i) => i.kind === k).length;
  const lines = [`project: ${project}`, ''];
  if (inv.items.length === 0) lines.push('nothing found (see --json for the places looked at)');
  else lines.push(...table(rows));
  lines.push(
    '',
    `${count('skill')} skill(s), ${count('command')} command(s), ${count('agent')} subagent(s), ${count('mcp-server')} MCP server(s); ` +
      `${inv.items.filter((i) => i.state === 'not_loaded').length} not loaded, ${inv.items.filter((i) => i.state === 'off').length} turned off, ` +
      `${inv.items.filter((i) => i.state === 'loaded' && i.problems.length > 0).length} loading with problems, ` +
      `${inv.items.filter((i) => i.duplicates.length > 0).length} with near-duplicate descriptions`,
    `always-loaded context: ~${total} tokens every session${unknown > 0 ? ` plus the tool lists of ${unknown} MCP server(s) (? = not known from the configuration)` : ''}`,
    `estimator: ${inv.estimator}`,
    `duplicates: ${inv.duplicateRule}`,
  );
  for (const p of inv.sourceProblems) lines.push(`could not read ${p.source}: ${p.problem}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `inventory`: what Claude Code loads into every session (user, project and
 * plugin skills, slash commands, subagents, MCP servers) with the context each
 * always-loaded description costs, broken front matter and near-duplicates.
 */
export function registerInventoryCommand(program: Command, ctx: CliContext): void {
  program
    .command('inventory')
    .description(
      'list the skills, slash commands, subagents and MCP servers Claude Code loads, with the tokens each costs every session, problems and near-duplicates',
    )
    .option('--project <dir>', 'project whose .claude/ and .mcp.json are read (default: the current directory)')
    .option('--json', 'print the inventory as JSON')
    .action(async (opts: InventoryOpts, cmd: Command) => {
      const config = ctx.config(cmd);
      const project = path.resolve(ctx.cwd, opts.project ?? '.');
      let st: fs.Stats | undefined;
      try {
        st = fs.statSync(project);
      } catch {
        st = undefined;
      }
      if (!st?.isDirectory()) throw AppError.invalid('--project', `must be an existing directory: ${project}`);
      const inv = await readSkillInventory({ claudeDirs: config.claudeConfigDirs, projectDir: project, homeDir: homeOf(ctx) });
      ctx.stdout.write(opts.json ? `${JSON.stringify(inv, null, 2)}\n` : render(inv, project));
    });
}
