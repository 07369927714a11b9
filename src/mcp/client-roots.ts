/**
 * The project directory a session tool works on when the caller names none:
 * the client's first `file://` root when the client offers roots (MCP
 * `roots/list`), else the server process's working directory.
 */
import { fileURLToPath } from 'node:url';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export type WorkingDirectorySource = 'argument' | 'client_root' | 'server_cwd';

/** How long to wait for the client's roots/list answer before using the server's directory. */
const ROOTS_TIMEOUT_MS = 5_000;

export async function resolveWorkingDirectory(server: McpServer, explicit: string | undefined): Promise<{ path: string; source: WorkingDirectorySource }> {
  if (explicit !== undefined) return { path: explicit, source: 'argument' };
  if (server.server.getClientCapabilities()?.roots) {
    try {
      const { roots } = await server.server.listRoots(undefined, { timeout: ROOTS_TIMEOUT_MS });
      const root = roots.find((r) => r.uri.startsWith('file://'));
      if (root) return { path: fileURLToPath(root.uri), source: 'client_root' };
    } catch {
      // A client that offers roots but cannot list them gets the server's directory, as one without roots.
    }
  }
  return { path: process.cwd(), source: 'server_cwd' };
}
