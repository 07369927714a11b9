/**
 * What Claude Code loads into every session, as the skill inventory reports
 * it: user, project and plugin skills, slash commands, subagents and MCP
 * servers, each with the context its always-loaded description costs.
 */
import type { InventoryState } from '../analytics/skill-verdict.js';

export type InventoryKind = 'skill' | 'command' | 'agent' | 'mcp-server';
export type InventoryScope = 'user' | 'project' | 'plugin';

export interface InventoryItem {
  kind: InventoryKind;
  scope: InventoryScope;
  /**
   * The name usage is recorded under: `skill:<name>` for skills and commands
   * (as the Skill tool and typed slashes are stored), `agent:<name>` for
   * subagents, `mcp:<server>` for MCP servers.
   */
  skill: string;
  /** Name as the user knows it (`code-review`, `plugin:code-review`). */
  name: string;
  /** File or configuration it was read from. */
  source: string;
  /** The always-loaded description ('' when none). */
  description: string;
  /**
   * Estimated tokens this item adds to every session (estimator: see
   * skill-inventory.ts); 0 when it is not loaded or off; null when the
   * configuration does not show it (a loaded MCP server's tool list is known
   * only to the running server).
   */
  alwaysLoadedTokens: number | null;
  /**
   * Whether Claude Code loads it (decided where the problems are recorded):
   * - `loaded`: it loads; its problems, if any, are warnings (it loads with a
   *   fallback or despite them, and is costed);
   * - `not_loaded`: it cannot load (e.g. unparseable front matter, a subagent
   *   without name or description, an MCP server with neither command nor url),
   *   or another definition of its name takes precedence: 0 tokens;
   * - `off`: the user turned it off (a `.mcp.json` server in
   *   `disabledMcpjsonServers`): 0 tokens;
   * - `self`: Session Buddy's own MCP server (mcp-config.ts isSessionBuddyServer),
   *   never recommended for removal.
   */
  state: InventoryState;
  /**
   * What is wrong with it, or why it is not loaded (see `state`: for a loaded
   * item these are warnings); empty when fine.
   */
  problems: string[];
  /** Other items whose description is near-identical (their `skill`). */
  duplicates: string[];
  /**
   * False when the front matter sets `disable-model-invocation: true`: only the
   * user can invoke it and its description is not loaded (0 tokens). Absent
   * for subagents and MCP servers.
   */
  modelInvocable?: boolean;
}

export interface SkillInventory {
  items: InventoryItem[];
  /** Places looked at, including those that do not exist. */
  searched: string[];
  /** How alwaysLoadedTokens is estimated, in words. */
  estimator: string;
}
