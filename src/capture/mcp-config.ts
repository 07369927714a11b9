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
}

export interface McpConfig {
  stdio: { command: string; json: { mcpServers: Record<string, { type: 'stdio'; command: string; args: string[] }> } };
  http: { command: string; json: { mcpServers: Record<string, { type: 'http'; url: string }> } };
}

export function mcpHttpUrl(host: string, port: number): string {
  return `${serverBaseUrl(host, port)}/mcp`;
}

/** POSIX shell quoting, only where needed. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
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
      command: ['claude', 'mcp', 'add', '--scope', 'user', '--transport', 'http', name, url].map(shellQuote).join(' '),
      json: { mcpServers: { [name]: { type: 'http', url } } },
    },
  };
}
