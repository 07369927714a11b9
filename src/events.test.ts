import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from './events.js';
import { createLogger } from './logger.js';
import { callOk, connectInMemory, createTestApp } from './testing/harness.js';

describe('event bus', () => {
  it('isolates listeners: one that throws neither stops the others nor the emitter, and is reported', () => {
    const reported: { event: string; message: string }[] = [];
    const bus = new EventBus((event, err) => reported.push({ event, message: (err as Error).message }));
    const seen: string[] = [];
    bus.on('tool.called', () => {
      throw new Error('listener broke');
    });
    bus.on('tool.called', (e) => seen.push(e.tool));
    bus.emit('tool.called', { tool: 'x', outcome: 'ok', seconds: 0 });
    assert.deepEqual(seen, ['x']);
    assert.deepEqual(reported, [{ event: 'tool.called', message: 'listener broke' }]);
  });

  it('a throwing subscriber does not fail track_skill_invocation, and the error is logged', async () => {
    const lines: string[] = [];
    const app = createTestApp({ logger: createLogger('info', { write: (s: string) => lines.push(s) }) });
    try {
      app.bus.on('invocations.recorded', () => {
        throw new Error('subscriber exploded');
      });
      const client = await connectInMemory(app.createMcpServer('test'));
      const out = await callOk<{ id: string; duplicate: boolean }>(client, 'track_skill_invocation', {
        skill_name: 's',
        user_id: 'u',
        session_id: 'x',
        workflow_phase: 'testing',
        completed: true,
        duration_ms: 5,
      });
      assert.equal(out.duplicate, false);
      assert.equal(app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 1);
      const logged = lines.map((l) => JSON.parse(l) as { level: string; msg: string; event?: string; err?: { message: string } });
      const entry = logged.find((l) => l.err?.message === 'subscriber exploded');
      assert.ok(entry, `no log line for the listener error in ${lines.join('')}`);
      assert.equal(entry.level, 'error');
      assert.equal(entry.event, 'invocations.recorded');
      await client.close();
    } finally {
      await app.dispose();
    }
  });
});
