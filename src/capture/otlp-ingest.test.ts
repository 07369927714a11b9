import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../events.js';
import { CONTENT_TYPE, encodeEvents } from '../testing/otlp-encode.js';
import { OtlpIngest } from './otlp-ingest.js';

const NOW = Date.now();

/** An ingest whose writes are captured; `telemetryUser` as Config.telemetryUser. */
function ingest(telemetryUser: string | null) {
  const rows: Record<string, unknown>[] = [];
  const usage: Array<{ userHash: string }> = [];
  const o = new OtlpIngest({
    tracker: {
      trackBatch: async (batch) => {
        rows.push(...(batch as Record<string, unknown>[]));
        return { inserted: batch.length, duplicates: 0 } as never;
      },
    },
    invocations: { invokedAtByDedupeKey: async () => new Map() },
    skillCosts: {
      record: async (batch) => {
        usage.push(...batch);
        return { inserted: batch.length, duplicates: 0 };
      },
    },
    hashUser: (id) => `h(${id})`,
    bus: new EventBus(),
    maxBodyBytes: 1 << 20,
    telemetryUser,
    now: () => NOW,
  });
  return { o, rows, usage };
}

const body = () =>
  encodeEvents(
    [
      {
        name: 'tool_result',
        at: NOW - 1000,
        attributes: { 'session.id': 's1', 'user.id': 'device-abc', 'user.account_uuid': 'acct-1', tool_use_id: 'toolu_u1', tool_name: 'Bash', success: 'true' },
      },
      {
        name: 'api_request',
        at: NOW - 900,
        attributes: { 'session.id': 's1', 'user.id': 'device-abc', 'prompt.id': 'p1', request_id: 'req_u1', model: 'm', 'skill.name': 'deploy' },
      },
      {
        name: 'skill_activated',
        at: NOW - 800,
        attributes: { 'session.id': 's1', 'user.id': 'device-abc', 'prompt.id': 'p2', 'skill.name': 'deploy', invocation_trigger: 'user-slash' },
      },
    ],
    'protobuf',
  );

describe('OtlpIngest telemetry user', () => {
  for (const [title, telemetryUser, stored] of [
    ['stores tool results, API calls and typed activations under the configured user, not the ids the event carries', 'ann', 'ann'],
    ["keeps the event's user.id when none is configured", null, 'device-abc'],
  ] as const) {
    it(title, async () => {
      const { o, rows, usage } = ingest(telemetryUser);
      await o.logs({ body: await body(), contentType: CONTENT_TYPE.protobuf, contentEncoding: undefined });
      assert.deepEqual(
        rows.map((r) => r.user_id),
        [stored, stored],
      );
      assert.deepEqual(
        usage.map((u) => u.userHash),
        [`h(${stored})`],
      );
    });
  }
});
