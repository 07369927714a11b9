import path from 'node:path';
import type { Command } from 'commander';
import { buildHooksConfig, DEFAULT_HOOK_COMMAND, writeHooksConfig } from '../../capture/install-hooks.js';
import { shellQuote } from '../../capture/mcp-config.js';
import { AppError } from '../../errors.js';
import type { CliContext } from '../context.js';

interface InstallHooksOpts {
  write?: boolean;
  local?: boolean;
  file?: string;
  command?: string;
  timeout?: string;
  failureEvent?: boolean;
  sync?: boolean;
}

export function registerInstallHooksCommand(program: Command, ctx: CliContext): void {
  program
    .command('install-hooks')
    .description('print the Claude Code hooks that feed `session-buddy hook`, or merge them into .claude/settings.json with --write')
    .option('--write', 'merge into the settings file (keeps existing settings and hooks; idempotent)')
    .option('--local', 'with --write: use .claude/settings.local.json (not committed) instead of .claude/settings.json')
    .option('--file <path>', 'with --write: the settings file to merge into')
    .option('--command <cmd>', `hook command (default "${DEFAULT_HOOK_COMMAND}", plus --data-dir when given)`)
    .option('--timeout <seconds>', 'hook timeout in seconds', '10')
    .option('--no-failure-event', 'leave out PostToolUseFailure (for Claude Code versions without it)')
    .option('--sync', 'make Claude Code wait for each hook (default: async, the agent never waits)')
    .action(async (opts: InstallHooksOpts, cmd: Command) => {
      const timeoutSeconds = Number(opts.timeout);
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) throw AppError.invalid('--timeout', 'must be a positive integer number of seconds');
      const globals = cmd.optsWithGlobals() as { dataDir?: string };
      // Pin the data directory when one was given, so hooks spool where the server looks.
      const command =
        opts.command ??
        (globals.dataDir ? `session-buddy --data-dir ${shellQuote(ctx.config(cmd).dataDir)} hook` : DEFAULT_HOOK_COMMAND);
      const hookOpts = { command, timeoutSeconds, includeFailureEvent: opts.failureEvent !== false, async: !opts.sync };
      if (!opts.write) {
        ctx.stdout.write(`${JSON.stringify(buildHooksConfig(hookOpts), null, 2)}\n`);
        return;
      }
      const file = path.resolve(ctx.cwd, opts.file ?? path.join('.claude', opts.local ? 'settings.local.json' : 'settings.json'));
      const r = writeHooksConfig(file, hookOpts);
      if (r.added.length === 0 && r.updated.length === 0 && !r.created) {
        ctx.stdout.write(`${file}: session-buddy hooks already installed, nothing changed\n`);
        return;
      }
      const parts = [r.created ? 'created' : 'updated'];
      if (r.added.length > 0) parts.push(`added ${r.added.join(', ')}`);
      if (r.updated.length > 0) parts.push(`changed ${r.updated.join(', ')}`);
      ctx.stdout.write(`${file}: ${parts.join('; ')}\n`);
    });
}
