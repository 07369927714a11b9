import path from 'node:path';
import type { Command } from 'commander';
import fs from 'node:fs';
import { installedHookCommand } from '../../capture/capture-checks.js';
import { candidateSettingsFiles, settingsFile, type HookScope } from '../../capture/claude-paths.js';
import { entryPoint, findTimeoutCommand, hookCommandLine } from '../../capture/entry-command.js';
import { buildHooksConfig, removeHooksFromFile, writeHooksConfig } from '../../capture/install-hooks.js';
import { redactUrl, storeFlagValue, storePasswordNote } from '../../config.js';
import { AppError } from '../../errors.js';
import { homeOf, type CliContext } from '../context.js';
import { checkFlags, checksEmpty, intFlag } from '../flags.js';

interface InstallHooksOpts {
  write?: boolean;
  remove?: boolean;
  project?: boolean;
  local?: boolean;
  file?: string;
  command?: string;
  timeout?: string;
  failureEvent?: boolean;
  sync?: boolean;
}

/**
 * `install-hooks`: the hooks run `<node> <this installation's bin> --data-dir
 * <data dir> hook`, all absolute, so they work in every project, with any
 * PATH and offline; wrapped in `<timeout> -s KILL 1.6` when coreutils
 * `timeout` is found, so a hook that cannot run (stopped, starved of CPU)
 * is still ended within 2 s. Written by default to the user settings
 * (`$CLAUDE_CONFIG_DIR/settings.json` or `~/.claude/settings.json`), so every
 * project is captured; `--project` / `--local` write the current project's.
 * `--remove` takes them out of the same file again (every other hook and
 * setting stays).
 */
/**
 * The longest `--timeout`: 600 s, Claude Code's own default for a command hook (10 minutes). The
 * hook answers within 2 s (the default), so a longer timeout only lets a stuck hook hold a tool
 * call (with --sync) or a process for longer.
 */
const MAX_HOOK_TIMEOUT_S = 600;

export function registerInstallHooksCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('install-hooks')
    .description('print the Claude Code hooks that feed `session-buddy hook`, or merge them into your Claude Code settings with --write')
    .option('--write', 'merge into the settings file (keeps existing settings and hooks; idempotent)')
    .option('--remove', "take session-buddy's hooks out of the settings file again (every other hook and setting stays)")
    .option('--project', "with --write or --remove: this project's .claude/settings.json instead of the user settings")
    .option('--local', "with --write or --remove: this project's .claude/settings.local.json (not committed) instead of the user settings")
    .option('--file <path>', 'with --write or --remove: the settings file to merge into or remove from')
    .option('--command <cmd>', 'hook command (default: absolute node and session-buddy paths with --data-dir)')
    .option('--timeout <seconds>', `Claude Code hook timeout in seconds, 1-${MAX_HOOK_TIMEOUT_S} (Claude Code kills the hook after it)`, '2')
    .option('--no-failure-event', 'leave out PostToolUseFailure (for Claude Code versions without it)')
    .option('--sync', 'make Claude Code wait for each hook (default: async, the agent never waits)')
    .action(async (opts: InstallHooksOpts, cmd: Command) => {
      const { timeoutSeconds } = checkFlags({
        timeoutSeconds: () => intFlag('--timeout', opts.timeout ?? '', 1, MAX_HOOK_TIMEOUT_S, 'seconds'),
        where: () => {
          const chosen = [opts.project ? '--project' : null, opts.local ? '--local' : null, opts.file !== undefined ? '--file' : null].filter(
            (f) => f !== null,
          );
          if (chosen.length > 1) throw AppError.invalid(chosen[0]!, `choose one of ${chosen.join(', ')}, not several`);
          if (chosen.length === 1 && !opts.write && !opts.remove)
            throw AppError.invalid(chosen[0]!, 'only with --write or --remove (without them the hooks are printed)');
        },
        remove: () => {
          if (opts.remove && opts.write) throw AppError.invalid('--remove', 'not with --write: choose one');
        },
        file: () => {
          if (opts.file !== undefined && opts.file.trim() === '') throw AppError.invalid('--file', 'must not be empty');
        },
        command: () => {
          if (opts.command !== undefined && opts.command.trim() === '') throw AppError.invalid('--command', 'must not be empty');
        },
      });
      if (opts.remove) {
        removeHooks(opts, ctx);
        return;
      }
      const config = ctx.config(cmd);
      const place = { dataDir: config.dataDir, store: storeFlagValue(config) };
      const command = opts.command ?? hookCommandLine(entryPoint(process.execPath, ctx.binPath), place, findTimeoutCommand(ctx.env.PATH));
      const hookOpts = { command, timeoutSeconds, includeFailureEvent: opts.failureEvent !== false, async: !opts.sync };
      if (!opts.write) {
        ctx.stdout.write(`${JSON.stringify(buildHooksConfig(hookOpts), null, 2)}\n`);
        return;
      }
      const file = chosenSettingsFile(opts, ctx);
      // The default files' .claude directory may be created; a file the user names must be in an existing directory.
      const r = writeHooksConfig(file, hookOpts, opts.file !== undefined ? { createDirectory: false, field: '--file' } : {});
      // Other settings files of this project or user with an older session-buddy hook (e.g. a bare
      // `session-buddy hook`, which fails where the command is not on PATH) run as well: say so.
      for (const { other, old } of otherHookCommands(file, ctx)) {
        if (old !== command) ctx.stderr.write(`note: ${other} also runs \`${redactUrl(old)}\`; re-run with --file ${other} to update it, or remove it there\n`);
      }
      if (r.added.length === 0 && r.updated.length === 0 && !r.created) {
        ctx.stdout.write(`${file}: session-buddy hooks already installed, nothing changed\n`);
        return;
      }
      const parts = [r.created ? 'created' : 'updated'];
      if (r.added.length > 0) parts.push(`added ${r.added.join(', ')}`);
      if (r.updated.length > 0) parts.push(`changed ${r.updated.join(', ')}`);
      const store = place.store === null ? '' : `\n  store: ${redactUrl(place.store)}`;
      ctx.stdout.write(`${file}: ${parts.join('; ')}\n  hook command: ${redactUrl(command)}\n  data directory: ${config.dataDir}${store}\n`);
      const note = opts.command === undefined ? storePasswordNote(config, file) : null;
      if (note) ctx.stderr.write(`note: ${note}\n`);
    });
  checksEmpty(command, ['--command', '--file']);
}

/** The settings file --write and --remove work on: --file, --local, --project, else the user's. */
function chosenSettingsFile(opts: InstallHooksOpts, ctx: CliContext): string {
  if (opts.file !== undefined) return path.resolve(ctx.cwd, opts.file);
  const scope: HookScope = opts.local ? 'local' : opts.project ? 'project' : 'user';
  return settingsFile(scope, { env: ctx.env, home: homeOf(ctx), cwd: ctx.cwd });
}

/** `--remove`: our hooks out of the chosen file; says where hooks of ours remain in the other settings files. */
function removeHooks(opts: InstallHooksOpts, ctx: CliContext): void {
  const file = chosenSettingsFile(opts, ctx);
  const r = removeHooksFromFile(file, opts.file !== undefined ? { field: '--file' } : {});
  if (r.removed.length > 0) ctx.stdout.write(`${file}: removed the session-buddy hooks of ${r.removed.join(', ')}\n`);
  else ctx.stdout.write(`${file}: ${r.exists ? 'no session-buddy hooks' : 'does not exist'}, nothing changed\n`);
  for (const { other, old } of otherHookCommands(file, ctx))
    ctx.stderr.write(`note: ${other} still runs \`${redactUrl(old)}\`; remove it with --file ${other}\n`);
}

/** The other settings files of this project or user (than `file`) that run a hook of ours, with its command. */
function otherHookCommands(file: string, ctx: CliContext): Array<{ other: string; old: string }> {
  const found: Array<{ other: string; old: string }> = [];
  for (const other of candidateSettingsFiles({ env: ctx.env, home: homeOf(ctx), cwd: ctx.cwd })) {
    if (other === file) continue;
    try {
      const old = installedHookCommand(JSON.parse(fs.readFileSync(other, 'utf8')));
      if (old) found.push({ other, old });
    } catch {
      // Missing, unreadable or not JSON: nothing of ours runs from it.
    }
  }
  return found;
}
