import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnomalyEvent, InvocationEvent } from '../events.js';
import { EventCoalescer, type CoalescedBatch, type CoalescerClock } from './event-coalescer.js';

/** A hand-driven clock: timers fire only when `advance` passes their due time. */
class FakeClock implements CoalescerClock {
  t = 1000;
  private timers: { due: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = ++this.seq;
    this.timers.push({ due: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown) {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  pending() {
    return this.timers.map((x) => x.due - this.t);
  }
  advance(ms: number) {
    this.t += ms;
    const due = this.timers.filter((x) => x.due <= this.t);
    this.timers = this.timers.filter((x) => x.due > this.t);
    for (const x of due) x.fn();
  }
}

function ev(skill: string, i: number): InvocationEvent {
  return {
    id: `id-${i}`,
    skill_name: skill,
    session_id: 's',
    user_hash: 'h',
    workflow_phase: 'testing',
    completed: true,
    duration_ms: i,
    error_type: null,
    invoked_at: 0,
    project: null,
    agent: null,
  };
}

describe('EventCoalescer', () => {
  it('pushes the first event at once and coalesces a synchronous burst into one push', () => {
    const clock = new FakeClock();
    const pushes: CoalescedBatch[] = [];
    const c = new EventCoalescer(50, 100, (b) => pushes.push(b), clock);
    c.addInvocations([ev('a', 1)]);
    c.addInvocations([ev('b', 2), ev('a', 3)]);
    assert.deepEqual(clock.pending(), [0]); // leading edge: due immediately
    clock.advance(0);
    assert.equal(pushes.length, 1);
    assert.deepEqual(
      pushes[0]!.invocations.map((e) => e.id),
      ['id-1', 'id-2', 'id-3'],
    );
    assert.equal(pushes[0]!.invocationTotal, 3);
    assert.deepEqual(
      [...pushes[0]!.invocationCounts],
      [
        ['a', 2],
        ['b', 1],
      ],
    );
  });

  it('holds events that follow a push until the interval has passed', () => {
    const clock = new FakeClock();
    const pushes: CoalescedBatch[] = [];
    const c = new EventCoalescer(50, 100, (b) => pushes.push(b), clock);
    c.addInvocations([ev('a', 1)]);
    clock.advance(0);
    clock.advance(20);
    c.addInvocations([ev('a', 2)]);
    assert.deepEqual(clock.pending(), [30]); // pushed at t=1000, now 1020: wait until 1050
    clock.advance(29);
    assert.equal(pushes.length, 1);
    c.addInvocations([ev('a', 3)]);
    clock.advance(1);
    assert.equal(pushes.length, 2);
    assert.deepEqual(
      pushes[1]!.invocations.map((e) => e.id),
      ['id-2', 'id-3'],
    );
  });

  it('keeps the latest maxEvents events of a flood but counts all of them', () => {
    const clock = new FakeClock();
    const pushes: CoalescedBatch[] = [];
    const c = new EventCoalescer(50, 10, (b) => pushes.push(b), clock);
    for (let i = 0; i < 1000; i++) c.addInvocations([ev(i % 4 === 0 ? 'rare' : 'busy', i)]);
    clock.advance(0);
    assert.equal(pushes.length, 1);
    const b = pushes[0]!;
    assert.equal(b.invocationTotal, 1000);
    assert.equal(b.invocations.length, 10);
    assert.equal(b.invocations[0]!.id, 'id-990'); // the last 10: 990..999
    assert.equal(b.invocationCounts.get('rare'), 250); // every 4th of 1000
    assert.equal(b.invocationCounts.get('busy'), 750);
  });

  it('pushes anomalies and stops after close', () => {
    const clock = new FakeClock();
    const pushes: CoalescedBatch[] = [];
    const c = new EventCoalescer(50, 10, (b) => pushes.push(b), clock);
    const anomaly = { skill_name: 'a', severity: 'critical' } as AnomalyEvent;
    c.addAnomalies([anomaly]);
    clock.advance(0);
    assert.equal(pushes[0]!.anomalies.length, 1);
    assert.equal(pushes[0]!.invocationTotal, 0);
    c.addAnomalies([anomaly]);
    c.close();
    clock.advance(100);
    assert.equal(pushes.length, 1);
    assert.deepEqual(clock.pending(), []);
  });
});
