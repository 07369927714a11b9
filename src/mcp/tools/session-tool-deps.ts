/**
 * What the session-lifecycle and reflection tools need beyond ToolDeps.
 * The composition root adds these two fields to ToolDeps.
 */
import type { ReflectionStore } from '../../memory/reflection-store.js';
import type { SessionManager } from '../../session/session-manager.js';

export interface SessionToolDeps {
  sessions: SessionManager;
  reflections: ReflectionStore;
}
