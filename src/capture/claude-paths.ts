/**
 * Where Claude Code keeps its configuration: `$CLAUDE_CONFIG_DIR` when set,
 * else `~/.claude` (user settings in `settings.json` there); project settings
 * in `<project>/.claude/settings.json` (shared) and `settings.local.json`
 * (personal). User-scoped MCP servers live in `~/.claude.json`.
 */
import path from 'node:path';

export type HookScope = 'user' | 'project' | 'local';

function claudeConfigDir(env: Record<string, string | undefined>, home: string): string {
  const first = (env.CLAUDE_CONFIG_DIR ?? '').split(',')[0]?.trim() ?? '';
  return first !== '' ? path.resolve(home, first) : path.join(home, '.claude');
}

/** The settings file install-hooks writes for a scope. */
export function settingsFile(scope: HookScope, opts: { env: Record<string, string | undefined>; home: string; cwd: string }): string {
  if (scope === 'user') return path.join(claudeConfigDir(opts.env, opts.home), 'settings.json');
  return path.join(opts.cwd, '.claude', scope === 'local' ? 'settings.local.json' : 'settings.json');
}

/** Every settings file that may hold our hooks, most specific first (for doctor). */
export function candidateSettingsFiles(opts: { env: Record<string, string | undefined>; home: string; cwd: string }): string[] {
  return [settingsFile('local', opts), settingsFile('project', opts), settingsFile('user', opts)];
}

/** Claude Code's own state file, where `claude mcp add --scope user` writes MCP servers. */
export function claudeStateFile(env: Record<string, string | undefined>, home: string): string {
  const dir = (env.CLAUDE_CONFIG_DIR ?? '').split(',')[0]?.trim() ?? '';
  return dir !== '' ? path.join(path.resolve(home, dir), '.claude.json') : path.join(home, '.claude.json');
}
