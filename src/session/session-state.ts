/**
 * Persists open and recently ended sessions in `<dataDir>/sessions/state.json`
 * so a server restart keeps the open session. Writes are atomic (temp file +
 * rename). A file that cannot be parsed is moved aside, never silently reused.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { SessionRecord } from './session-types.js';
import { ensureDir } from '../ensure-dir.js';

export interface SessionState {
  version: 1;
  /** The session used when a call names none: the most recently started open one. */
  current: string | null;
  sessions: SessionRecord[];
}

export const MAX_ENDED_SESSIONS_KEPT = 20;

function emptyState(): SessionState {
  return { version: 1, current: null, sessions: [] };
}

export class SessionStateFile {
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.file = path.join(dataDir, 'sessions', 'state.json');
  }

  load(): SessionState {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as SessionState;
      if (parsed?.version !== 1 || !Array.isArray(parsed.sessions)) throw new Error('unexpected shape');
      return parsed;
    } catch (err) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      this.logger.warn('session state file unreadable; moved aside', { file: this.file, aside, err });
      try {
        fs.renameSync(this.file, aside);
      } catch {
        // best effort
      }
      return emptyState();
    }
  }

  save(state: SessionState): void {
    const open = state.sessions.filter((s) => s.endedAt === null);
    const ended = state.sessions
      .filter((s) => s.endedAt !== null)
      .sort((a, b) => (a.endedAt! < b.endedAt! ? 1 : -1))
      .slice(0, MAX_ENDED_SESSIONS_KEPT);
    const out: SessionState = { version: 1, current: state.current, sessions: [...open, ...ended] };
    ensureDir(path.dirname(this.file), 0o777);
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(out, null, 2)}\n`, 'utf8');
    fs.renameSync(tmp, this.file);
  }
}
