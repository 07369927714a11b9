/**
 * Pure mapping from a Claude Code tool call to tracker fields: the skill name,
 * the workflow phase, an error class and the project.
 *
 * Skill names:
 *   Skill            -> `skill:<input.skill>` (older versions: `input.command`)
 *   Task / Agent     -> `agent:<input.subagent_type>`
 *   mcp__server__x   -> kept as is
 *   anything else    -> the tool name
 *
 * Workflow phase (first rule that applies, otherwise `unknown`):
 *   Bash: test runners -> testing; deploy/publish/push -> deployment;
 *         debuggers/tracers -> debugging; git diff/log/show/blame -> review.
 *   Edit/Write/MultiEdit/NotebookEdit: docs files (*.md, *.mdx, *.rst, *.txt,
 *         docs/) -> documentation; test files -> testing; else implementation.
 *   Read/Grep/Glob/LS/WebFetch/WebSearch/TodoWrite/(Enter|Exit)PlanMode -> planning.
 *   Skill, Task/Agent and MCP tools: keywords in the name (plan, review, test,
 *         debug, deploy, doc, implement/refactor/fix) -> that phase.
 */
import path from 'node:path';
import { TYPED_DEDUPE_KEY_PREFIX } from '../dedupe-keys.js';
import type { WorkflowPhase } from '../tracking/invocation-input.js';

export const AGENT_NAME = 'claude-code';
const MAX_SKILL_NAME = 128;
export const MAX_ERROR_TYPE = 128;
const MAX_DURATION_MS = 86_400_000;

type ToolInput = Record<string, unknown>;

/**
 * The dedupe key of a Claude Code tool call, the same for hook capture and
 * transcript import: `cc:<tool_use_id>`. A tool_use_id is unique on its own;
 * the session id is left out because a resumed or forked transcript repeats
 * copied lines under a new session id (migration 0011 rewrote the older
 * `cc:<session>:<tool_use_id>` keys).
 */
export function dedupeKeyFor(toolUseId: string): string {
  return `cc:${toolUseId}`.slice(0, 256);
}

/**
 * The dedupe key of a typed skill activation (the user typed `/name`, a
 * prompt expansion), the same from every source that sees it:
 *
 *   `cc-typed:<session_id>:<skill_name>:<n>`
 *
 * where skill_name is the stored name (`skill:<name>`) and n is 1 for the
 * first typed activation of that skill in that session, 2 for the second, …
 * The hook (UserPromptExpansion) counts them in its per-session state, the
 * transcript import counts the `<command-name>` user lines in file order, and
 * the OTLP receiver (a `skill_activated` event with trigger `user-slash`)
 * takes the ordinal of the stored row of that session and skill nearest in
 * time within 30 s, else the next free one (otlp-events.ts typedOrdinal).
 * No source sees an id shared by the others (the hook payload carries no
 * prompt id, the event no tool_use_id), so the per-skill ordinal is the
 * prompt's identity. Capped at 256 characters like every dedupe key.
 */
export function typedDedupeKeyFor(sessionId: string, skillName: string, ordinal: number): string {
  return `${TYPED_DEDUPE_KEY_PREFIX}${sessionId}:${skillName}:${ordinal}`.slice(0, 256);
}

/**
 * Claude Code's built-in slash commands. They are not skills: typed, they
 * are not recorded (the hook's `command_source: "builtin"` says the same; the
 * transcript shows them with the same tags as skills, so the import needs the
 * list). Commands not listed here that start with a letter are taken as
 * skills or custom commands (`.claude/commands`, `.claude/skills`, plugins).
 */
const BUILTIN_COMMANDS: ReadonlySet<string> = new Set(
  (
    'add-dir agents bashes bug clear compact config context cost doctor exit export feedback help hooks ide init ' +
    'install-github-app login logout mcp memory migrate-installer model output-style permissions plugin pr-comments ' +
    'privacy-settings release-notes resume review rewind security-review skills status statusline terminal-setup ' +
    'todos upgrade usage vim btw focus loop recap rename effort tui undo insights team-onboarding reload-plugins'
  ).split(' '),
);

/**
 * The stored name of a typed slash command that activates a skill, or null
 * for built-in commands and MCP prompts (`/mcp__server__prompt`). A leading
 * `/` is dropped: `/review-pr` and `review-pr` are both `skill:review-pr`.
 */
export function typedSkillName(commandName: string): string | null {
  const name = cleanText(commandName, MAX_SKILL_NAME).replace(/^\//, '').trim();
  if (name === '' || BUILTIN_COMMANDS.has(name) || name.startsWith('mcp__') || /\s/.test(name)) return null;
  return cleanText(`skill:${name}`, MAX_SKILL_NAME);
}

const COMMAND_NAME_TAG = /<command-name>\s*([^<]{1,200}?)\s*<\/command-name>/;

/**
 * The command a user line of a transcript typed: Claude Code writes a typed
 * slash command as a user message whose text holds
 * `<command-message>name</command-message>` and `<command-name>/name</command-name>`
 * (and `<command-args>…</command-args>`); the expanded skill text follows in a
 * separate `isMeta` user line. Null when the text holds no command-name tag.
 */
export function commandNameInText(text: string): string | null {
  const m = COMMAND_NAME_TAG.exec(text.slice(0, 4096));
  return m ? m[1]! : null;
}

/**
 * Control characters (Unicode's Cc: U+0000–U+001F and U+007F–U+009F, all in the BMP, so code units
 * match them as code points do). Tested first: most text has none, and the test is far cheaper than
 * a Unicode-aware replace (an import calls this a few times per line).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: it exists to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: it exists to remove control characters
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Removes control characters, trims and caps the length. */
export function cleanText(value: string, max: number): string {
  return (CONTROL.test(value) ? value.replace(CONTROLS, '') : value).trim().slice(0, max);
}

/**
 * The only keys of a tool call's `input` that naming and phases read: a
 * transcript scanner may drop every other key (native/transcript_scan.cc).
 */
export const TOOL_INPUT_KEYS = ['skill', 'command', 'name', 'subagent_type', 'file_path', 'notebook_path'] as const;

function str(input: ToolInput, key: (typeof TOOL_INPUT_KEYS)[number]): string | undefined {
  const v = input[key];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

export function asInput(value: unknown): ToolInput {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as ToolInput) : {};
}

export function skillNameFor(toolName: string, rawInput: unknown): string {
  const input = asInput(rawInput);
  let name: string;
  if (toolName === 'Skill') {
    const skill = str(input, 'skill') ?? str(input, 'command') ?? str(input, 'name') ?? 'unknown';
    name = `skill:${skill.replace(/^\//, '')}`;
  } else if (toolName === 'Task' || toolName === 'Agent') {
    name = `agent:${str(input, 'subagent_type') ?? 'general-purpose'}`;
  } else {
    name = toolName;
  }
  return cleanText(name, MAX_SKILL_NAME) || 'unknown';
}

const TEST_CMD = /\b(test|tests|jest|vitest|mocha|pytest|tox|rspec|phpunit|playwright|cypress|ava|karma)\b|node\s+--test|go\s+test|cargo\s+test|npm\s+t\b/i;
const DEPLOY_CMD = /\b(deploy|kubectl\s+apply|helm\s+(install|upgrade)|terraform\s+apply|docker\s+push|npm\s+publish|git\s+push|vercel|netlify)\b/i;
const DEBUG_CMD = /\b(gdb|lldb|strace|ltrace|pdb|valgrind|node\s+--inspect)\b/i;
const REVIEW_CMD = /\bgit\s+(diff|log|show|blame)\b|\bgh\s+pr\s+(view|diff|review)\b/i;
const DOC_FILE = /(\.(md|mdx|rst|adoc|txt)$)|(^|[\\/])docs?[\\/]/i;
const TEST_FILE = /(\.(test|spec)\.[a-z0-9]+$)|(^|[\\/])(tests?|__tests__|spec)[\\/]|(^|[\\/])test_[^\\/]*\.py$/i;

const EDIT_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit']);
const PLANNING_TOOLS = new Set(['Read', 'Grep', 'Glob', 'LS', 'WebFetch', 'WebSearch', 'TodoWrite', 'EnterPlanMode', 'ExitPlanMode']);

/** Keyword inference for named skills, subagents and MCP tools. */
export function phaseFromName(name: string): WorkflowPhase {
  // Split on separators so word boundaries work in `mcp__x__run_tests` or `skill:code-review`.
  const n = name.toLowerCase().replace(/[^a-z0-9]+/g, ' ');
  if (/\b(plan|planning|planner|design|architect|research|explore|explorer)\b/.test(n)) return 'planning';
  if (/\b(review|reviewer|audit|lint)\b/.test(n)) return 'review';
  if (/\b(tests?|testing|qa|verify|pytest|jest|vitest)\b/.test(n)) return 'testing';
  if (/\b(debug|debugger|debugging|diagnose|investigate)\b/.test(n)) return 'debugging';
  if (/\b(deploy|deployment|release|publish|ship)\b/.test(n)) return 'deployment';
  if (/\b(docs?|documentation|document|readme|changelog)\b/.test(n)) return 'documentation';
  if (/\b(implement|implementation|refactor|fix|feature|build)\b/.test(n)) return 'implementation';
  return 'unknown';
}

export function phaseFor(toolName: string, rawInput: unknown): WorkflowPhase {
  const input = asInput(rawInput);
  if (toolName === 'Bash') {
    const cmd = str(input, 'command') ?? '';
    if (TEST_CMD.test(cmd)) return 'testing';
    if (DEPLOY_CMD.test(cmd)) return 'deployment';
    if (DEBUG_CMD.test(cmd)) return 'debugging';
    if (REVIEW_CMD.test(cmd)) return 'review';
    return 'unknown';
  }
  if (EDIT_TOOLS.has(toolName)) {
    const file = str(input, 'file_path') ?? str(input, 'notebook_path') ?? '';
    if (DOC_FILE.test(file)) return 'documentation';
    if (TEST_FILE.test(file)) return 'testing';
    return 'implementation';
  }
  if (PLANNING_TOOLS.has(toolName)) return 'planning';
  if (toolName === 'Skill' || toolName === 'Task' || toolName === 'Agent' || toolName.startsWith('mcp__')) {
    return phaseFromName(skillNameFor(toolName, input));
  }
  return 'unknown';
}

/**
 * A small, low-cardinality error class from a failure message. Message text
 * itself is never stored (it may hold paths or secrets).
 */
export function classifyError(message: string | null | undefined, interrupted = false): string {
  if (interrupted) return 'interrupted';
  const m = (message ?? '').slice(0, 2000);
  if (/interrupted by user|request interrupted/i.test(m)) return 'interrupted';
  if (/doesn't want to proceed|does not want to proceed|permission|denied|not allowed/i.test(m)) return 'permission_denied';
  if (/timed out|timeout/i.test(m)) return 'timeout';
  if (/exit code \d+|exited with|non-zero/i.test(m)) return 'nonzero_exit';
  if (/no such file|ENOENT|not found|does not exist/i.test(m)) return 'not_found';
  return 'tool_error';
}

/** Project = the last path segment of the working directory. */
export function projectFromCwd(cwd: unknown): string | null {
  if (typeof cwd !== 'string' || cwd.trim() === '') return null;
  const base = path.basename(cwd.replace(/[\\/]+$/, '')) || cwd;
  return cleanText(base, 256) || null;
}

export function clampDuration(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) return 0;
  return Math.min(Math.round(ms), MAX_DURATION_MS);
}
