/**
 * What Claude Code loads into every session, read from disk: skills, slash
 * commands, subagents and MCP servers of the user, of the project and of the
 * installed plugins, each with the context its always-loaded description
 * costs (estimator: `estimateTokens` in analytics/token-estimate.ts, on the
 * text `<name>: <description>`).
 *
 * Places (for each Claude configuration directory `<dir>`, `~/.claude` or
 * each of `$CLAUDE_CONFIG_DIR`):
 * - skills: `<dir>/skills/<skill>/SKILL.md`, `<project>/.claude/skills/<skill>/SKILL.md`
 * - commands: `<dir>/commands/**.md`, `<project>/.claude/commands/**.md`
 * - subagents: `<dir>/agents/**.md`, `<project>/.claude/agents/**.md`
 * - plugins: `<dir>/plugins/installed_plugins.json` (version 1: one record per
 *   `plugin@marketplace`; version 2: a list of installs, each with a scope and,
 *   for project installs, `projectPath`); a plugin set to `false` in
 *   `enabledPlugins` of the user, project or local settings is left out. In its
 *   `installPath`: `skills/`, `commands/`, `agents/` (plus the paths its
 *   `.claude-plugin/plugin.json` adds), MCP servers in `.mcp.json` or the
 *   manifest's `mcpServers`.
 * - MCP servers: `mcpServers` and `projects[<project>].mcpServers` of
 *   `~/.claude.json` (`<dir>/.claude.json` under `$CLAUDE_CONFIG_DIR`), and
 *   `<project>/.mcp.json`.
 *
 * Names are those usage is recorded under (see tool-mapping.ts): `skill:<name>`
 * for skills and commands, `skill:<plugin>:<name>` for a plugin's, `agent:<name>`
 * (`agent:<plugin>:<name>`) for subagents and `mcp:<server>` for MCP servers,
 * whose tools are recorded as `mcp__<server>__<tool>` (`reportName` in
 * analytics/skill-verdict.ts maps one to the other; a plugin's server is `plugin_<plugin>_<server>`).
 *
 * Never throws on bad input: unreadable files, unparseable front matter,
 * missing required fields and skill directories without SKILL.md become
 * `problems` of their item, unreadable configuration files `sourceProblems`.
 * Each item's `state` says whether Claude Code loads it, decided where its
 * problems are recorded: `notLoaded` (it cannot load, or another definition
 * takes precedence: 0 tokens), `turnedOff` (the user turned it off: 0 tokens),
 * or a plain warning (it still loads, and is costed). Session Buddy's own MCP
 * server, recognised by its command whatever its name (isSessionBuddyServer in
 * mcp-config.ts), is in state `self`: the report never judges it on use (it
 * records the others); a problem is still recorded (then 0 tokens), and it can
 * be turned off.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DUPLICATE_RULE, nearDuplicates } from '../analytics/description-duplicates.js';
import { estimateTokens, TOKEN_ESTIMATOR } from '../analytics/token-estimate.js';
import { firstParagraph, parseFrontMatter } from './front-matter.js';
import { isSessionBuddyServer } from './mcp-config.js';
import type { InventoryItem, InventoryKind, InventoryScope, SkillInventory } from './skill-inventory-types.js';

export interface ReadSkillInventoryOptions {
  /** Claude Code configuration directories (config.claudeConfigDirs). */
  claudeDirs: readonly string[];
  /** The project whose `.claude/` and `.mcp.json` are read; null: user and plugins only. */
  projectDir: string | null;
  /** The user's home directory (for `~/.claude.json`). */
  homeDir: string;
}

/** The inventory plus what could not be read at all (configuration files, plugin installs). */
export interface SkillInventoryResult extends SkillInventory {
  sourceProblems: SourceProblem[];
  duplicateRule: string;
}

interface SourceProblem {
  source: string;
  problem: string;
}

/** Files larger than this are not read (a SKILL.md is a few KiB). */
const MAX_FILE_BYTES = 1024 * 1024;
/** How deep commands/ and agents/ are walked. */
const MAX_DEPTH = 8;
/** The Agent Skills rule for a skill's name. */
const SKILL_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_NAME_CHARS = 64;
const MAX_DESCRIPTION_CHARS = 1024;

const INVENTORY_ESTIMATOR = `${TOKEN_ESTIMATOR}; the text is "<name>: <description>" for skills, commands and subagents (never the body); 0 for items that do not load, that the user turned off or that set disable-model-invocation; null for MCP servers that load (their tool list is known only to the running server)`;

/** A server name as Claude Code puts it into tool names (other characters become `_`). */
function toolSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

class Collector {
  readonly items: InventoryItem[] = [];
  readonly searched: string[] = [];
  readonly sourceProblems: SourceProblem[] = [];
  readonly json = new Map<string, unknown>();
  private readonly seen = new Set<string>();

  look(place: string): boolean {
    if (this.seen.has(place)) return false;
    this.seen.add(place);
    this.searched.push(place);
    return true;
  }

  problem(source: string, problem: string): void {
    this.sourceProblems.push({ source, problem });
  }
}

type Read = { ok: true; text: string } | { ok: false; missing: boolean; error: string };

async function readText(file: string): Promise<Read> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return { ok: false, missing: false, error: 'not a file' };
    if (st.size > MAX_FILE_BYTES) return { ok: false, missing: false, error: `larger than ${MAX_FILE_BYTES} bytes, not read` };
    return { ok: true, text: await fs.readFile(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT' || code === 'ENOTDIR', error: `unreadable (${code ?? String(err)})` };
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Files read at once (the results keep the order of `list`). */
const READ_CONCURRENCY = 16;

async function mapLimit<T, R>(list: readonly T[], fn: (value: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      out[i] = await fn(list[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, list.length) }, worker));
  return out;
}

async function isDanglingLink(p: string): Promise<boolean> {
  try {
    if (!(await fs.lstat(p)).isSymbolicLink()) return false;
    await fs.stat(p);
    return false;
  } catch {
    return true;
  }
}

/** Entry names of a directory, sorted; [] when it does not exist or cannot be read (recorded). */
async function listDir(dir: string, c: Collector): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') c.problem(dir, `unreadable directory (${code ?? String(err)})`);
    return [];
  }
}

/** Every `*.md` under `dir` (following symlinks, each real directory once), sorted. */
async function markdownFiles(dir: string, c: Collector): Promise<string[]> {
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = async (d: string, depth: number): Promise<void> => {
    let real: string;
    try {
      real = await fs.realpath(d);
    } catch {
      return;
    }
    if (visited.has(real) || depth > MAX_DEPTH) return;
    visited.add(real);
    for (const name of await listDir(d, c)) {
      if (name.startsWith('.')) continue;
      const p = path.join(d, name);
      if (await isDir(p)) await walk(p, depth + 1);
      else if (name.toLowerCase().endsWith('.md')) out.push(p);
    }
  };
  await walk(dir, 0);
  return out;
}

interface Origin {
  scope: InventoryScope;
  /** Plugin name for plugin items (prefixes names: `plugin:name`). */
  plugin?: string;
}

function qualified(origin: Origin, name: string): string {
  return origin.plugin ? `${origin.plugin}:${name}` : name;
}

function item(kind: InventoryKind, origin: Origin, name: string, source: string): InventoryItem {
  const shown = qualified(origin, name);
  const prefix = kind === 'agent' ? 'agent' : kind === 'mcp-server' ? 'mcp' : 'skill';
  return {
    kind,
    scope: origin.scope,
    skill: `${prefix}:${shown}`,
    name: shown,
    source,
    description: '',
    alwaysLoadedTokens: 0,
    state: 'loaded',
    problems: [],
    duplicates: [],
  };
}

/**
 * A problem that keeps Claude Code from loading the item (or a definition that takes precedence): it
 * costs nothing. Session Buddy's own server stays `self` (never judged for removal), with the problem.
 */
function notLoaded(it: InventoryItem, problem: string): void {
  it.problems.push(problem);
  if (it.state === 'loaded') it.state = 'not_loaded';
  it.alwaysLoadedTokens = 0;
}

/** The user turned the item off: it is not loaded and costs nothing, and nothing needs fixing. */
function turnedOff(it: InventoryItem, why: string): void {
  it.problems.push(why);
  it.state = 'off';
  it.alwaysLoadedTokens = 0;
}

/** What a skill, command or subagent that may load costs: its `<name>: <description>` line, 0 when it does not load or is user-only. */
function cost(it: InventoryItem): number {
  return it.state === 'loaded' && it.modelInvocable !== false ? alwaysLoaded(it) : 0;
}

function alwaysLoaded(it: InventoryItem): number {
  return estimateTokens(`${it.name}: ${it.description}`);
}

function stringField(data: Record<string, unknown> | null, key: string, it: InventoryItem): string | undefined {
  const v = data?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  it.problems.push(`front matter \`${key}\` is not text`);
  return undefined;
}

function modelInvocationDisabled(data: Record<string, unknown> | null): boolean {
  const v = data?.['disable-model-invocation'];
  return v === true || v === 'true';
}

// ---------------------------------------------------------------- skills

async function readSkill(dir: string, origin: Origin): Promise<InventoryItem> {
  const dirName = path.basename(dir);
  const file = path.join(dir, 'SKILL.md');
  const it = item('skill', origin, dirName, file);
  const read = await readText(file);
  if (!read.ok) {
    notLoaded(it, read.missing ? 'skill directory without SKILL.md' : `SKILL.md ${read.error}`);
    return it;
  }
  const fm = parseFrontMatter(read.text);
  if (!fm.ok) {
    notLoaded(it, `unparseable front matter: ${fm.error}`);
    return it;
  }
  // The problems below are warnings: Claude Code still loads the skill (with a fallback where a field is missing).
  const name = stringField(fm.data, 'name', it);
  if (name !== undefined) {
    if (name.length > MAX_NAME_CHARS || !SKILL_NAME.test(name))
      it.problems.push(`name "${name}" breaks the rule: lowercase letters, digits and single hyphens, at most ${MAX_NAME_CHARS} characters`);
    const renamed = item('skill', origin, name, file);
    it.name = renamed.name;
    it.skill = renamed.skill;
  }
  const description = stringField(fm.data, 'description', it);
  if (description === undefined) {
    it.problems.push(
      fm.data === null
        ? 'no front matter (Claude Code falls back to the directory name and the first paragraph of the body)'
        : 'no description in the front matter (Claude Code falls back to the first paragraph of the body)',
    );
    it.description = firstParagraph(fm.body);
  } else {
    it.description = description.replace(/\s+/g, ' ');
    if (it.description.length > MAX_DESCRIPTION_CHARS) it.problems.push(`description longer than ${MAX_DESCRIPTION_CHARS} characters`);
  }
  it.modelInvocable = !modelInvocationDisabled(fm.data);
  it.alwaysLoadedTokens = cost(it);
  return it;
}

/** Skills in `root`: each subdirectory with a SKILL.md (a directory that is itself a skill counts too). */
async function readSkills(root: string, origin: Origin, c: Collector): Promise<void> {
  if (!c.look(root)) return;
  if (!(await isDir(root))) return;
  if ((await readText(path.join(root, 'SKILL.md'))).ok) {
    c.items.push(await readSkill(root, origin));
    return;
  }
  const names = (await listDir(root, c)).filter((n) => !n.startsWith('.'));
  const found = await mapLimit(names, async (name): Promise<InventoryItem | null> => {
    const dir = path.join(root, name);
    if (await isDir(dir)) return readSkill(dir, origin);
    if (!(await isDanglingLink(dir))) return null;
    const it = item('skill', origin, name, dir);
    notLoaded(it, 'symbolic link to a directory that no longer exists');
    return it;
  });
  for (const it of found) if (it) c.items.push(it);
}

// ---------------------------------------------------------------- commands and subagents

async function readCommand(file: string, origin: Origin): Promise<InventoryItem> {
  const it = item('command', origin, path.basename(file).replace(/\.md$/i, ''), file);
  const read = await readText(file);
  if (!read.ok) {
    notLoaded(it, read.error);
    return it;
  }
  const fm = parseFrontMatter(read.text);
  if (!fm.ok) {
    notLoaded(it, `unparseable front matter: ${fm.error}`);
    return it;
  }
  // A command's front matter is optional; without a description the first line of the body stands in.
  it.description = (stringField(fm.data, 'description', it) ?? firstLine(fm.body)).replace(/\s+/g, ' ');
  it.modelInvocable = !modelInvocationDisabled(fm.data);
  it.alwaysLoadedTokens = cost(it);
  return it;
}

function firstLine(body: string): string {
  const line = body.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.trim().replace(/^#+\s*/, '');
}

async function readAgent(file: string, origin: Origin): Promise<InventoryItem> {
  const it = item('agent', origin, path.basename(file).replace(/\.md$/i, ''), file);
  const read = await readText(file);
  if (!read.ok) {
    notLoaded(it, read.error);
    return it;
  }
  const fm = parseFrontMatter(read.text);
  if (!fm.ok) {
    notLoaded(it, `unparseable front matter: ${fm.error}`);
    return it;
  }
  const name = stringField(fm.data, 'name', it);
  const description = stringField(fm.data, 'description', it);
  if (name !== undefined) {
    const renamed = item('agent', origin, name, file);
    it.name = renamed.name;
    it.skill = renamed.skill;
  }
  if (description !== undefined) it.description = description.replace(/\s+/g, ' ');
  // Claude Code loads a subagent only with both fields.
  if (name === undefined) notLoaded(it, 'no `name` in the front matter (required for a subagent)');
  if (description === undefined) notLoaded(it, 'no `description` in the front matter (required for a subagent)');
  it.alwaysLoadedTokens = cost(it);
  return it;
}

async function readMarkdownItems(root: string, origin: Origin, c: Collector, read: (file: string, origin: Origin) => Promise<InventoryItem>): Promise<void> {
  if (!c.look(root)) return;
  try {
    const st = await fs.stat(root);
    if (st.isFile()) {
      c.items.push(await read(root, origin));
      return;
    }
  } catch {
    return;
  }
  c.items.push(...(await mapLimit(await markdownFiles(root, c), (file) => read(file, origin))));
}

// ---------------------------------------------------------------- MCP servers

/** A JSON file's value (read once), undefined when missing or broken (recorded). */
async function readJson(file: string, c: Collector): Promise<unknown> {
  if (!c.look(file)) return c.json.get(file);
  const read = await readText(file);
  let value: unknown;
  if (!read.ok) {
    if (!read.missing) c.problem(file, read.error);
  } else {
    try {
      value = JSON.parse(read.text);
    } catch (err) {
      c.problem(file, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  c.json.set(file, value);
  return value;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function addMcpServers(servers: unknown, origin: Origin, source: string, c: Collector): void {
  if (servers === undefined || servers === null) return;
  if (!isRecord(servers)) {
    c.problem(source, '`mcpServers` is not an object of server name → configuration');
    return;
  }
  for (const [server, conf] of Object.entries(servers)) {
    const key = origin.plugin ? `plugin_${toolSafe(origin.plugin)}_${toolSafe(server)}` : toolSafe(server);
    const it: InventoryItem = {
      kind: 'mcp-server',
      scope: origin.scope,
      skill: `mcp:${key}`,
      name: origin.plugin ? `${origin.plugin}:${server}` : server,
      source,
      description: '',
      alwaysLoadedTokens: null,
      state: isRecord(conf) && isSessionBuddyServer(server, conf) ? 'self' : 'loaded',
      problems: [],
      duplicates: [],
    };
    // A server that cannot start loads no tools: 0, not an unknown tool list.
    if (!isRecord(conf)) notLoaded(it, 'configuration is not an object');
    else if (typeof conf.command !== 'string' && typeof conf.url !== 'string') notLoaded(it, 'neither `command` (stdio) nor `url` (http/sse) is set');
    c.items.push(it);
  }
}

// ---------------------------------------------------------------- plugins

interface Install {
  key: string;
  installPath: string;
  scope: string;
}

/** The installs of installed_plugins.json that apply to `projectDir`, one per plugin. */
function pluginInstalls(registry: unknown, file: string, projectDir: string | null, homeDir: string, c: Collector): Install[] {
  if (registry === undefined) return [];
  const plugins = isRecord(registry) ? registry.plugins : undefined;
  if (!isRecord(plugins)) {
    c.problem(file, '`plugins` is not an object');
    return [];
  }
  const out: Install[] = [];
  for (const [key, value] of Object.entries(plugins)) {
    const records = Array.isArray(value) ? value : [value];
    let chosen: Install | null = null;
    for (const r of records) {
      if (!isRecord(r) || typeof r.installPath !== 'string') {
        c.problem(file, `${key}: an install without \`installPath\``);
        continue;
      }
      const scope = typeof r.scope === 'string' ? r.scope : 'user';
      const installPath = /^~(?=$|[\\/])/.test(r.installPath) ? path.join(homeDir, r.installPath.slice(1)) : r.installPath;
      const forProject = typeof r.projectPath === 'string' && projectDir !== null && path.resolve(r.projectPath) === projectDir;
      if (scope === 'user' || scope === 'managed') chosen ??= { key, installPath, scope: 'user' };
      else if (forProject) chosen = { key, installPath, scope };
    }
    if (chosen) out.push(chosen);
  }
  return out;
}

/** `enabledPlugins` merged from the user, project and local settings (most specific wins). */
async function enabledPlugins(settingsFiles: readonly string[], c: Collector): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  for (const file of settingsFiles) {
    const s = await readJson(file, c);
    if (isRecord(s) && isRecord(s.enabledPlugins)) for (const [k, v] of Object.entries(s.enabledPlugins)) if (typeof v === 'boolean') out.set(k, v);
  }
  return out;
}

function manifestPaths(value: unknown, root: string): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return list.map((p) => path.resolve(root, p));
}

async function readPlugin(install: Install, c: Collector): Promise<void> {
  const root = install.installPath;
  if (!(await isDir(root))) {
    c.look(root);
    c.problem(root, `plugin ${install.key}: install directory is missing`);
    return;
  }
  const manifestFile = path.join(root, '.claude-plugin', 'plugin.json');
  const manifest = await readJson(manifestFile, c);
  const m = isRecord(manifest) ? manifest : {};
  const plugin = typeof m.name === 'string' && m.name !== '' ? m.name : install.key.split('@')[0]!;
  const origin: Origin = { scope: 'plugin', plugin };
  for (const dir of [path.join(root, 'skills'), ...manifestPaths(m.skills, root)]) await readSkills(dir, origin, c);
  for (const dir of [path.join(root, 'commands'), ...manifestPaths(m.commands, root)]) await readMarkdownItems(dir, origin, c, readCommand);
  for (const dir of [path.join(root, 'agents'), ...manifestPaths(m.agents, root)]) await readMarkdownItems(dir, origin, c, readAgent);
  const mcpFile = path.join(root, '.mcp.json');
  const mcp = await readJson(mcpFile, c);
  if (isRecord(mcp)) addMcpServers(mcp.mcpServers ?? mcp, origin, mcpFile, c);
  if (isRecord(m.mcpServers)) addMcpServers(m.mcpServers, origin, manifestFile, c);
  else if (typeof m.mcpServers === 'string') {
    const f = path.resolve(root, m.mcpServers);
    const j = await readJson(f, c);
    if (isRecord(j)) addMcpServers(j.mcpServers ?? j, origin, f, c);
  }
}

// ---------------------------------------------------------------- the whole

/**
 * Which of several items under one name Claude Code loads: a skill wins over
 * a command, and a user's over the project's; a project's subagent wins over
 * the user's; for MCP servers the project entry of ~/.claude.json (local
 * scope), then .mcp.json, then the user's. Plugin items are namespaced and
 * never collide. The others are reported and cost nothing.
 */
function precedence(it: InventoryItem): number {
  if (it.kind === 'agent') return it.scope === 'project' ? 0 : 1;
  if (it.kind === 'mcp-server') return it.scope === 'user' ? 2 : it.source.endsWith('.mcp.json') ? 1 : 0;
  return (it.kind === 'skill' ? 0 : 2) + (it.scope === 'user' ? 0 : 1);
}

function resolveSameNames(items: InventoryItem[]): void {
  const groups = new Map<string, InventoryItem[]>();
  for (const it of items) {
    if (it.scope === 'plugin' || (it.state !== 'loaded' && it.state !== 'self')) continue;
    const list = groups.get(it.skill) ?? [];
    list.push(it);
    groups.set(it.skill, list);
  }
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    const [winner, ...rest] = [...list].sort((a, b) => precedence(a) - precedence(b));
    for (const it of rest) notLoaded(it, `not loaded: ${winner!.source} defines the same name and takes precedence`);
  }
}

/** `~/.claude.json` for the default directory; `<dir>/.claude.json` for one named by CLAUDE_CONFIG_DIR. */
function stateFileFor(dir: string, homeDir: string): string {
  return path.resolve(dir) === path.join(path.resolve(homeDir), '.claude') ? path.join(path.resolve(homeDir), '.claude.json') : path.join(dir, '.claude.json');
}

export async function readSkillInventory(opts: ReadSkillInventoryOptions): Promise<SkillInventoryResult> {
  const c = new Collector();
  const project = opts.projectDir === null ? null : path.resolve(opts.projectDir);
  const user: Origin = { scope: 'user' };
  const proj: Origin = { scope: 'project' };
  const projectClaude = project === null ? null : path.join(project, '.claude');

  for (const dir of opts.claudeDirs) await readSkills(path.join(dir, 'skills'), user, c);
  if (projectClaude) await readSkills(path.join(projectClaude, 'skills'), proj, c);
  for (const dir of opts.claudeDirs) await readMarkdownItems(path.join(dir, 'commands'), user, c, readCommand);
  if (projectClaude) await readMarkdownItems(path.join(projectClaude, 'commands'), proj, c, readCommand);
  for (const dir of opts.claudeDirs) await readMarkdownItems(path.join(dir, 'agents'), user, c, readAgent);
  if (projectClaude) await readMarkdownItems(path.join(projectClaude, 'agents'), proj, c, readAgent);

  for (const dir of opts.claudeDirs) {
    const registryFile = path.join(dir, 'plugins', 'installed_plugins.json');
    const installs = pluginInstalls(await readJson(registryFile, c), registryFile, project, opts.homeDir, c);
    if (installs.length === 0) continue;
    const settings = [
      path.join(dir, 'settings.json'),
      ...(projectClaude ? [path.join(projectClaude, 'settings.json'), path.join(projectClaude, 'settings.local.json')] : []),
    ];
    const enabled = await enabledPlugins(settings, c);
    for (const install of installs) if (enabled.get(install.key) !== false) await readPlugin(install, c);
  }

  // .mcp.json servers the user turned down (`disabledMcpjsonServers` in settings or the project's entry of ~/.claude.json).
  const turnedDown = new Map<string, string>();
  const noteTurnedDown = (holder: unknown, source: string) => {
    const list = isRecord(holder) ? holder.disabledMcpjsonServers : undefined;
    if (Array.isArray(list)) for (const n of list) if (typeof n === 'string' && !turnedDown.has(n)) turnedDown.set(n, source);
  };
  for (const dir of opts.claudeDirs) {
    const stateFile = stateFileFor(dir, opts.homeDir);
    const state = await readJson(stateFile, c);
    if (!isRecord(state)) continue;
    addMcpServers(state.mcpServers, user, stateFile, c);
    if (project !== null && isRecord(state.projects)) {
      const entry = state.projects[project];
      if (isRecord(entry)) addMcpServers(entry.mcpServers, proj, `${stateFile} (projects["${project}"])`, c);
      noteTurnedDown(entry, stateFile);
    }
  }
  if (project !== null) {
    for (const file of [
      ...opts.claudeDirs.map((d) => path.join(d, 'settings.json')),
      path.join(project, '.claude', 'settings.json'),
      path.join(project, '.claude', 'settings.local.json'),
    ]) {
      noteTurnedDown(await readJson(file, c), file);
    }
    const mcpFile = path.join(project, '.mcp.json');
    const mcp = await readJson(mcpFile, c);
    const before = c.items.length;
    if (isRecord(mcp)) addMcpServers(mcp.mcpServers, proj, mcpFile, c);
    for (const it of c.items.slice(before)) {
      const where = turnedDown.get(it.name);
      if (where !== undefined) turnedOff(it, `turned off in ${where} (disabledMcpjsonServers)`);
    }
  }

  const kindOrder: InventoryKind[] = ['skill', 'command', 'agent', 'mcp-server'];
  const scopeOrder: InventoryScope[] = ['user', 'project', 'plugin'];
  c.items.sort(
    (a, b) =>
      kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) ||
      scopeOrder.indexOf(a.scope) - scopeOrder.indexOf(b.scope) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  resolveSameNames(c.items);
  const dupes = nearDuplicates(c.items.map((i) => i.description));
  c.items.forEach((it, i) => {
    it.duplicates = [...new Set(dupes[i]!.map((j) => c.items[j]!.skill).filter((s) => s !== it.skill))];
  });
  return { items: c.items, searched: c.searched, estimator: INVENTORY_ESTIMATOR, sourceProblems: c.sourceProblems, duplicateRule: DUPLICATE_RULE };
}
