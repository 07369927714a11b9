/**
 * How to register Session Buddy as an MCP server in Claude Code: the
 * `claude mcp add` commands and the equivalent `.mcp.json` entries, for the
 * stdio transport (Claude Code spawns the server) and for HTTP (a server
 * started with `session-buddy start` serves /mcp).
 */
import { serverBaseUrl } from './server-url.js';

const DEFAULT_SERVER_NAME = 'session-buddy';

export interface McpConfigOptions {
  name?: string;
  /** Program Claude Code runs for stdio: an absolute path (see entry-command.ts). */
  command: string;
  args: readonly string[];
  /** The HTTP endpoint, see mcpHttpUrl(). */
  url?: string;
  /**
   * The token the HTTP server demands (a non-loopback bind): the `claude mcp add` line sends it as
   * `Authorization: Bearer …`; the .mcp.json entry, meant for a repository, names it as
   * `${SESSION_BUDDY_TOKEN}` (Claude Code expands variables in headers) instead of holding it.
   */
  token?: string | null;
}

/** The variable the shared .mcp.json HTTP entry reads the token from. */
export const MCP_TOKEN_VARIABLE = 'SESSION_BUDDY_TOKEN';

export interface McpConfig {
  stdio: { command: string; json: { mcpServers: Record<string, { type: 'stdio'; command: string; args: string[] }> } };
  http: { command: string; json: { mcpServers: Record<string, { type: 'http'; url: string; headers?: Record<string, string> }> } };
}

export function mcpHttpUrl(host: string, port: number): string {
  return `${serverBaseUrl(host, port)}/mcp`;
}

/** POSIX shell quoting, only where needed. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** What this package's entry point is run as: the script mcp-config writes (bin/session-buddy.js) or the command npm links to it. */
const ENTRY_NAMES = new Set(['session-buddy.js', 'session-buddy']);

/**
 * Whether an MCP server configuration (as Claude Code keeps it: `command` and `args`, or `url`)
 * is Session Buddy's own server, whatever the user named it: a stdio command that runs this
 * package's entry point (`<node> …/bin/session-buddy.js`, as buildMcpConfig writes it, or the
 * `session-buddy` command) with the `mcp` command, after global options that each take a value
 * (`--data-dir DIR`, `--store URL`…). Over HTTP, which names no command, the registration
 * buildMcpConfig writes: the name `session-buddy` and a URL whose path is /mcp.
 */
export function isSessionBuddyServer(name: string, conf: { command?: unknown; args?: unknown; url?: unknown }): boolean {
  if (typeof conf.command === 'string') {
    const argv = [conf.command, ...(Array.isArray(conf.args) ? conf.args : [])];
    const entry = argv.findIndex((a) => typeof a === 'string' && ENTRY_NAMES.has(a.split(/[\\/]/).pop()!));
    if (entry < 0) return false;
    for (let i = entry + 1; i < argv.length; i++) {
      const a = argv[i];
      if (typeof a !== 'string') return false;
      if (!a.startsWith('-')) return a === 'mcp';
      if (!a.includes('=')) i++; // the option's value
    }
    return false;
  }
  if (typeof conf.url === 'string' && name === DEFAULT_SERVER_NAME) {
    try {
      return new URL(conf.url).pathname === '/mcp';
    } catch {
      return false;
    }
  }
  return false;
}

export function buildMcpConfig(opts: McpConfigOptions): McpConfig {
  const name = opts.name ?? DEFAULT_SERVER_NAME;
  const command = opts.command;
  const args = [...opts.args];
  const url = opts.url ?? mcpHttpUrl('127.0.0.1', 8678);
  return {
    stdio: {
      command: ['claude', 'mcp', 'add', '--scope', 'user', name, '--', command, ...args].map(shellQuote).join(' '),
      json: { mcpServers: { [name]: { type: 'stdio', command, args } } },
    },
    http: {
      command: [
        'claude',
        'mcp',
        'add',
        '--scope',
        'user',
        '--transport',
        'http',
        ...(opts.token ? ['--header', `Authorization: Bearer ${opts.token}`] : []),
        name,
        url,
      ]
        .map(shellQuote)
        .join(' '),
      json: {
        mcpServers: { [name]: { type: 'http', url, ...(opts.token ? { headers: { Authorization: `Bearer \${${MCP_TOKEN_VARIABLE}}` } } : {}) } },
      },
    },
  };
}
