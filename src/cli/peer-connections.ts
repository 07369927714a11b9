/**
 * The refusal of a command that must not change a shared PostgreSQL store under other Session Buddy
 * processes (team members' servers, stdio MCP servers, commands): the local pid file knows only this
 * data directory's server, so they are found by their connections (SchemaMigrator.otherConnections).
 */
import { AppError } from '../errors.js';
import type { PeerConnection } from '../store/migrations.js';

/** `what`: what to do about them, e.g. "stop those servers and commands before changing the schema". */
export function inUseElsewhere(peers: readonly PeerConnection[], what: string): AppError {
  const counts = new Map<string, number>();
  for (const p of peers) {
    const where = `${p.clientAddr ?? 'a local socket'} (${p.applicationName})`;
    counts.set(where, (counts.get(where) ?? 0) + 1);
  }
  const list = [...counts].map(([where, n]) => (n > 1 ? `${n} from ${where}` : `from ${where}`)).join(', ');
  return new AppError('CONFLICT', `${peers.length} other Session Buddy connection(s) to this database are open (${list}): ${what}`);
}
