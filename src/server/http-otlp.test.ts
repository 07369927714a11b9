/**
 * The OTLP receiver end to end: bodies made by the OpenTelemetry SDK and its
 * official serializers, POSTed to a real server on 127.0.0.1:0, on SQLite
 * and PostgreSQL.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createApp, type App } from '../app.js';
import { parseConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createRealtime } from '../realtime/realtime-mounts.js';
import { testBackends, type OpenedBackend } from '../testing/backends.js';
import { CONTENT_TYPE, encodeEvents, metricRecorder, type TestEvent, type WireFormat } from '../testing/otlp-encode.js';
import { otlpTypes } from '../capture/otlp-schema.js';
import { typedDedupeKeyFor } from '../capture/tool-mapping.js';
import { startHttpServer, type RunningHttpServer } from './http-server.js';

const NOW = Date.now();
/** Exports are a minute apart in practice; a few ms keep two test exports' end times apart. */
const nextExport = () => new Promise((r) => setTimeout(r, 5));

const toolResult = (id: string, tool: string, extra: Record<string, string | number> = {}): TestEvent => ({
  name: 'tool_result',
  at: NOW - 1000,
  attributes: { 'session.id': 'sess-1', 'user.id': 'device-abc', tool_use_id: id, tool_name: tool, success: 'true', duration_ms: 250, ...extra },
});

/** A `skill_activated` event as Claude Code sends it. */
const skillActivated = (session: string, name: string, trigger: string, at: number, prompt: string): TestEvent => ({
  name: 'skill_activated',
  at,
  attributes: {
    'session.id': session,
    'user.id': 'device-abc',
    'prompt.id': prompt,
    'skill.name': name,
    invocation_trigger: trigger,
    'skill.source': 'projectSettings',
  },
});

interface Row {
  skill: string;
  dedupe_key: string;
  completed: number | boolean;
  duration_ms: number | string;
  workflow_phase: string;
  error_type: string | null;
}

const backends = await testBackends();

for (const backend of backends) {
  describe(`OTLP receiver on ${backend.name}`, { skip: backend.skip ?? false }, () => {
    let b: OpenedBackend;
    let app: App;
    let http: RunningHttpServer;
    let dir: string;
    const post = (p: string, body: Uint8Array | string, headers: Record<string, string>) =>
      fetch(`${http.url}${p}`, { method: 'POST', headers, body: typeof body === 'string' ? body : Buffer.from(body) });
    const rows = () =>
      b.query<Row>(
        'SELECT s.name AS skill, i.dedupe_key, i.completed, i.duration_ms, i.workflow_phase, i.error_type FROM skill_invocations i JOIN skills s ON s.id = i.skill_id ORDER BY i.dedupe_key',
      );
    const count = async () => Number((await b.query<{ n: number | string }>('SELECT count(*) AS n FROM skill_invocations'))[0]!.n);

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-otlp-${backend.name}-`));
      b = await backend.open();
      const config = parseConfig({ flags: { dataDir: dir, port: 0 }, env: { SESSION_BUDDY_AUDIT: 'off' } });
      app = createApp(config, { stores: b.stores, logger: createLogger('silent') });
      const rt = await createRealtime(app, { dashboard: false, ws: false });
      http = await startHttpServer(app, rt.mounts);
    });
    after(async () => {
      await http.close();
      await app.close();
      await b.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const format of ['protobuf', 'json'] as WireFormat[]) {
      it(`stores tool_result events sent as http/${format} like hook rows, once per tool_use_id`, async () => {
        const p = format === 'json' ? 'j' : 'p';
        // A hook already recorded toolu_<p>1 (same dedupe key): the event must not add a second row.
        await app.tracker.track({
          skill_name: 'Bash',
          user_id: 'alice',
          session_id: 'sess-1',
          workflow_phase: 'testing',
          completed: true,
          duration_ms: 240,
          dedupe_key: `cc:toolu_${p}1`,
        });
        const body = await encodeEvents(
          [
            toolResult(`toolu_${p}1`, 'Bash', { tool_parameters: JSON.stringify({ bash_command: 'npm', full_command: 'npm test' }) }),
            toolResult(`toolu_${p}2`, 'Skill', { tool_parameters: JSON.stringify({ skill_name: 'code-review' }) }),
            toolResult(`toolu_${p}3`, 'Edit', {
              success: 'false',
              error: 'File does not exist',
              tool_parameters: JSON.stringify({ file_path: 'src/a.test.ts' }),
            }),
            toolResult('', 'Read'), // no tool_use_id: cannot be joined, rejected
            { name: 'user_prompt', at: NOW - 500, attributes: { 'session.id': 'sess-1', prompt_length: 12 } },
          ],
          format,
        );
        const res = await post('/v1/logs', body, { 'content-type': CONTENT_TYPE[format] });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), CONTENT_TYPE[format]);
        if (format === 'json') {
          assert.deepEqual(await res.json(), { partialSuccess: { rejectedLogRecords: '1', errorMessage: '1 × tool_result without tool_use_id' } });
        }
        const mine = (await rows()).filter((r) => r.dedupe_key.startsWith(`cc:toolu_${p}`));
        assert.deepEqual(
          mine.map((r) => [r.skill, r.dedupe_key, Boolean(r.completed), Number(r.duration_ms), r.workflow_phase, r.error_type]),
          [
            ['Bash', `cc:toolu_${p}1`, true, 240, 'testing', null], // the hook's row, untouched
            ['skill:code-review', `cc:toolu_${p}2`, true, 250, 'review', null],
            ['Edit', `cc:toolu_${p}3`, false, 250, 'testing', 'not_found'],
          ],
        );
        // Sent again (an exporter retry): nothing new.
        const before = await count();
        assert.equal((await post('/v1/logs', body, { 'content-type': CONTENT_TYPE[format] })).status, 200);
        assert.equal(await count(), before);
      });
    }

    it('records api_request events that name a skill as telemetry-attributed usage, once per request id', async () => {
      const api = (id: string, skill: string | null, input: number, cost: number): TestEvent => ({
        name: 'api_request',
        at: NOW - 2000,
        attributes: {
          'session.id': 'sess-1',
          'user.id': 'device-abc',
          'prompt.id': 'prompt-1',
          request_id: id,
          model: 'claude-opus-4',
          input_tokens: input,
          output_tokens: 10,
          cache_read_tokens: 1000,
          cache_creation_tokens: 5,
          cost_usd: cost,
          ...(skill ? { 'skill.name': skill } : {}),
        },
      });
      const body = await encodeEvents([api('req_1', 'code-review', 100, 0.5), api('req_2', 'code-review', 50, 0.25), api('req_3', null, 999, 9)], 'protobuf');
      for (let i = 0; i < 2; i++) assert.equal((await post('/v1/logs', body, { 'content-type': CONTENT_TYPE.protobuf })).status, 200);
      const totals = await app.stores.skillCosts.totals({ skills: ['skill:code-review'] });
      assert.deepEqual(
        totals.map((t) => [t.skill, t.attribution, t.apiCalls, t.inputTokens, t.outputTokens, t.cacheReadTokens, t.cacheWriteTokens, t.costUsd]),
        [['skill:code-review', 'telemetry', 2, 150, 20, 2000, 10, 0.75]],
      );
    });

    for (const format of ['protobuf', 'json'] as const) {
      it(`rejects an api_request whose cost_usd is not a number (http/${format}) in partialSuccess, storing nothing for it`, async () => {
        const skill = `bad-cost-${format}`;
        const api = (id: string, cost: string | number): TestEvent => ({
          name: 'api_request',
          at: NOW - 2000,
          attributes: {
            'session.id': 'sess-1',
            'user.id': 'device-abc',
            request_id: id,
            model: 'claude-opus-4',
            input_tokens: 10,
            cost_usd: cost,
            'skill.name': skill,
          },
        });
        const body = await encodeEvents([api(`${format}_ok`, 0.5), api(`${format}_bad`, 'abc')], format);
        const res = await post('/v1/logs', body, { 'content-type': CONTENT_TYPE[format] });
        assert.equal(res.status, 200);
        const answer =
          format === 'json'
            ? ((await res.json()) as { partialSuccess?: { rejectedLogRecords: string; errorMessage: string } })
            : (otlpTypes().logsResponse.toObject(otlpTypes().logsResponse.decode(new Uint8Array(await res.arrayBuffer())), { longs: String }) as {
                partialSuccess?: { rejectedLogRecords: string; errorMessage: string };
              });
        assert.equal(answer.partialSuccess?.rejectedLogRecords, '1');
        assert.match(answer.partialSuccess?.errorMessage ?? '', /cost_usd: must be a finite number >= 0/);
        const totals = await app.stores.skillCosts.totals({ skills: [`skill:${skill}`] });
        // Only the valid call: priced, no unpriced call.
        assert.deepEqual(
          totals.map((t) => [t.attribution, t.apiCalls, t.costUsd, t.unpricedCalls]),
          [['telemetry', 1, 0.5, 0]],
        );
      });
    }

    it('counts skill_activated events on /metrics by the documented trigger and source', async () => {
      const activated = (trigger: string): TestEvent => ({
        name: 'skill_activated',
        at: NOW - 100,
        attributes: { 'session.id': 'sess-m', 'skill.name': 'custom_skill', invocation_trigger: trigger, 'skill.source': 'userSettings' },
      });
      const body = await encodeEvents([activated('user-slash'), activated('claude-proactive'), activated('claude-proactive')], 'json');
      assert.equal((await post('/v1/logs', body, { 'content-type': CONTENT_TYPE.json })).status, 200);
      const text = await (await fetch(`${http.url}/metrics`)).text();
      assert.match(text, /^claude_code_skill_activations_total\{trigger="claude-proactive",source="userSettings"\} 2$/m);
      assert.match(text, /^claude_code_skill_activations_total\{trigger="user-slash",source="userSettings"\} 1$/m);
    });

    it('counts a resent skill_activated event once (same session and event.sequence)', async () => {
      const activated = (sequence: number): TestEvent => ({
        name: 'skill_activated',
        at: NOW - 90,
        attributes: {
          'session.id': 'sess-resend',
          'event.sequence': sequence,
          'skill.name': 'pdf',
          invocation_trigger: 'nested-skill',
          'skill.source': 'plugin',
        },
      });
      const count = async () => {
        const m = /^claude_code_skill_activations_total\{trigger="nested-skill",source="plugin"\} (\d+)$/m.exec(
          await (await fetch(`${http.url}/metrics`)).text(),
        );
        return m ? Number(m[1]) : 0;
      };
      const body = await encodeEvents([activated(7), activated(8)], 'json');
      assert.equal((await post('/v1/logs', body, { 'content-type': CONTENT_TYPE.json })).status, 200);
      assert.equal(await count(), 2);
      // The exporter did not get the answer and sends the same export again, then a new event.
      assert.equal((await post('/v1/logs', body, { 'content-type': CONTENT_TYPE.json })).status, 200);
      assert.equal(await count(), 2);
      assert.equal((await post('/v1/logs', await encodeEvents([activated(9)], 'protobuf'), { 'content-type': CONTENT_TYPE.protobuf })).status, 200);
      assert.equal(await count(), 3);
    });

    for (const format of ['protobuf', 'json'] as WireFormat[]) {
      it(`stores user-slash skill_activated events (http/${format}) as typed activations, matched to the hook's and the import's rows`, async () => {
        const session = `sess-typed-${format}`;
        const typedRows = () =>
          b.query<{ skill: string; dedupe_key: string; activation_trigger: string | null; invoked_at: number | string }>(
            `SELECT s.name AS skill, i.dedupe_key, i.activation_trigger, i.invoked_at FROM skill_invocations i JOIN skills s ON s.id = i.skill_id
             WHERE i.dedupe_key LIKE 'cc-typed:${session}:%' ORDER BY i.dedupe_key`,
          );
        const t0 = NOW - 120_000;
        // The hook recorded the first /deploy when UserPromptExpansion ran, 1.2 s after Claude Code stamped the event.
        // A typed /deploy as the hook and the import record it: the n-th of the session, at `at`.
        const typedDeploy = (at: number, n: number) =>
          app.tracker.track({
            skill_name: 'skill:deploy',
            user_id: 'alice',
            session_id: session,
            workflow_phase: 'deployment',
            completed: true,
            duration_ms: 0,
            invoked_at: at,
            dedupe_key: typedDedupeKeyFor(session, 'skill:deploy', n),
            trigger: 'typed',
          });
        const hook = await typedDeploy(t0 + 1200, 1);
        assert.equal(hook.duplicate, false);
        const activated = (name: string, trigger: string, at: number, prompt: string) => skillActivated(session, name, trigger, at, prompt);
        const body = await encodeEvents(
          [
            activated('deploy', 'user-slash', t0, 'p1'), // the hook's row: a duplicate
            activated('deploy', 'user-slash', t0 + 40_000, 'p2'), // a second /deploy: new, ordinal 2
            activated('deploy', 'claude-proactive', t0 + 50_000, 'p3'), // a Skill tool call: the tool rows hold it
            activated('custom_skill', 'user-slash', t0 + 60_000, 'p4'), // masked; its prompt's api_request names the skill
            {
              name: 'api_request',
              at: t0 + 65_000,
              attributes: { 'session.id': session, 'prompt.id': 'p4', request_id: `req_${format}_p4`, model: 'm', 'skill.name': 'release-notes-writer' },
            },
            activated('custom_skill', 'user-slash', t0 + 70_000, 'p5'), // masked, nothing names it: not stored
            activated('clear', 'user-slash', t0 + 80_000, 'p6'), // a built-in command: no source records it as a skill
          ],
          format,
        );
        const res = await post('/v1/logs', body, { 'content-type': CONTENT_TYPE[format] });
        assert.equal(res.status, 200);
        if (format === 'json') {
          const reply = (await res.json()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
          assert.equal(reply.partialSuccess.rejectedLogRecords, '1');
          assert.match(reply.partialSuccess.errorMessage, /^1 × skill_activated with a masked skill\.name \(custom_skill\)/);
        }
        const expected = [
          ['skill:deploy', typedDedupeKeyFor(session, 'skill:deploy', 1), 'typed', t0 + 1200], // the hook's row, untouched
          ['skill:deploy', typedDedupeKeyFor(session, 'skill:deploy', 2), 'typed', t0 + 40_000],
          ['skill:release-notes-writer', typedDedupeKeyFor(session, 'skill:release-notes-writer', 1), 'typed', t0 + 60_000],
        ];
        const read = async () => (await typedRows()).map((r) => [r.skill, r.dedupe_key, r.activation_trigger, Number(r.invoked_at)]);
        assert.deepEqual(await read(), expected);
        assert.equal((await rows()).filter((r) => r.skill === 'skill:custom_skill' || r.skill === 'skill:clear').length, 0);
        // Sent again (an exporter retry): nothing new.
        assert.equal((await post('/v1/logs', body, { 'content-type': CONTENT_TYPE[format] })).status, 200);
        assert.deepEqual(await read(), expected);
        // The transcript import of the second /deploy computes the same key: a duplicate.
        const imported = await typedDeploy(t0 + 40_300, 2);
        assert.equal(imported.duplicate, true);
        // A third /deploy far from every stored row takes ordinal 3.
        const third = await encodeEvents([activated('deploy', 'user-slash', t0 + 100_000, 'p7')], format);
        assert.equal((await post('/v1/logs', third, { 'content-type': CONTENT_TYPE[format] })).status, 200);
        assert.deepEqual(
          (await read()).filter((r) => r[0] === 'skill:deploy').map((r) => r[1]),
          [1, 2, 3].map((n) => typedDedupeKeyFor(session, 'skill:deploy', n)),
        );
      });
    }

    it('gives typed activations of two exports that arrive together their own ordinals', async () => {
      const session = 'sess-typed-concurrent';
      const t0 = NOW - 300_000;
      const exportOf = (at: number, prompt: string) => encodeEvents([skillActivated(session, 'deploy', 'user-slash', at, prompt)], 'protobuf');
      // Two /deploy prompts a minute apart, each in its own export, both in flight at once.
      const bodies = await Promise.all([exportOf(t0, 'q1'), exportOf(t0 + 60_000, 'q2')]);
      const replies = await Promise.all(bodies.map((body) => post('/v1/logs', body, { 'content-type': CONTENT_TYPE.protobuf })));
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200],
      );
      const stored = await b.query<{ dedupe_key: string; invoked_at: number | string }>(
        `SELECT dedupe_key, invoked_at FROM skill_invocations WHERE dedupe_key LIKE 'cc-typed:${session}:%' ORDER BY invoked_at`,
      );
      // Both stored, under ordinals 1 and 2 (which export takes which depends on arrival order).
      assert.deepEqual(
        stored.map((r) => Number(r.invoked_at)),
        [t0, t0 + 60_000],
      );
      assert.deepEqual(stored.map((r) => r.dedupe_key).sort(), [1, 2].map((n) => typedDedupeKeyFor(session, 'skill:deploy', n)).sort());
    });

    it('refuses a per-user token with 403 (telemetry carries its own user ids)', async () => {
      const { token } = await app.userTokens.create({ userId: 'alice', admin: false });
      const body = await encodeEvents([toolResult('toolu_403', 'Bash')], 'protobuf');
      const res = await post('/v1/logs', body, { 'content-type': CONTENT_TYPE.protobuf, authorization: `Bearer ${token}` });
      assert.equal(res.status, 403);
      assert.equal((await rows()).filter((r) => r.dedupe_key === 'cc:toolu_403').length, 0);
    });

    it('accepts gzip bodies', async () => {
      const body = zlib.gzipSync(await encodeEvents([toolResult('toolu_gz', 'Grep')], 'protobuf'));
      const res = await post('/v1/logs', body, { 'content-type': CONTENT_TYPE.protobuf, 'content-encoding': 'gzip' });
      assert.equal(res.status, 200);
      assert.equal((await rows()).filter((r) => r.dedupe_key === 'cc:toolu_gz').length, 1);
    });

    it('sums delta metrics into /metrics counters, ignoring a resent export, and drops per-session labels', async () => {
      const rec = metricRecorder('delta');
      rec.add('claude_code.cost.usage', 0.25, { model: 'claude-opus-4', 'session.id': 'a', 'user.id': 'u' });
      rec.add('claude_code.cost.usage', 0.5, { model: 'claude-opus-4', 'session.id': 'b', 'user.id': 'u' });
      rec.add('claude_code.token.usage', 100, { model: 'claude-opus-4', type: 'input', 'session.id': 'a' });
      const first = await rec.collect('protobuf');
      await nextExport();
      rec.add('claude_code.cost.usage', 1, { model: 'claude-opus-4', 'session.id': 'a', 'user.id': 'u' });
      rec.add('claude_code.token.usage', 50, { model: 'claude-opus-4', type: 'input', 'session.id': 'a' });
      const second = await rec.collect('json');
      await rec.close();
      for (const [body, format] of [
        [first, 'protobuf'],
        [second, 'json'],
        [first, 'protobuf'],
      ] as const) {
        const res = await post('/v1/metrics', body, { 'content-type': CONTENT_TYPE[format] });
        assert.equal(res.status, 200);
      }
      const text = await (await fetch(`${http.url}/metrics`)).text();
      assert.match(text, /^claude_code_cost_usd_total\{model="claude-opus-4",skill=""\} 1\.75$/m);
      assert.match(text, /^claude_code_tokens_total\{model="claude-opus-4",type="input",skill=""\} 150$/m);
      assert.doesNotMatch(text, /^claude_code_\w+\{[^}]*\b(session|user)\w*=/m);
    });

    it('sums cumulative metrics by differencing against the last point', async () => {
      const rec = metricRecorder('cumulative');
      rec.add('claude_code.lines_of_code.count', 10, { type: 'added', 'session.id': 'c' });
      const a = await rec.collect('protobuf');
      await nextExport();
      rec.add('claude_code.lines_of_code.count', 5, { type: 'added', 'session.id': 'c' });
      const c = await rec.collect('protobuf');
      await rec.close();
      for (const body of [a, c, c]) assert.equal((await post('/v1/metrics', body, { 'content-type': CONTENT_TYPE.protobuf })).status, 200);
      const text = await (await fetch(`${http.url}/metrics`)).text();
      assert.match(text, /^claude_code_lines_of_code_total\{type="added"\} 15$/m);
    });

    it('skips non-finite data points (NaN, Infinity) in partialSuccess and counts the rest, in both encodings', async () => {
      const nano = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
      const request = (format: WireFormat, at: number) => {
        const point = (session: string, asDouble: number | string) => ({
          attributes: [{ key: 'session.id', value: { stringValue: session } }],
          startTimeUnixNano: nano(at - 60_000),
          timeUnixNano: nano(at),
          asDouble,
        });
        const nonFinite = format === 'json' ? ['NaN', 'Infinity'] : [Number.NaN, Number.POSITIVE_INFINITY];
        const body = {
          resourceMetrics: [
            {
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: 'claude_code.commit.count',
                      sum: {
                        aggregationTemporality: 1,
                        isMonotonic: true,
                        dataPoints: [point('nf-1', 2), point('nf-2', nonFinite[0]!), point('nf-3', nonFinite[1]!)],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        };
        const type = otlpTypes().metricsRequest;
        return format === 'json' ? JSON.stringify(body) : type.encode(type.fromObject(body)).finish();
      };
      const response = otlpTypes().metricsResponse;
      let expected = 0;
      for (const format of ['protobuf', 'json'] as const) {
        const res = await post('/v1/metrics', request(format, NOW + expected * 60_000), { 'content-type': CONTENT_TYPE[format] });
        assert.equal(res.status, 200, format);
        const answer = (
          format === 'json' ? await res.json() : response.toObject(response.decode(new Uint8Array(await res.arrayBuffer())), { longs: String })
        ) as { partialSuccess?: { rejectedDataPoints: string; errorMessage: string } };
        assert.equal(answer.partialSuccess?.rejectedDataPoints, '2', format);
        assert.match(
          answer.partialSuccess?.errorMessage ?? '',
          /claude_code\.commit\.count data point with a non-finite value \(NaN\): must be a finite number/,
        );
        assert.match(answer.partialSuccess?.errorMessage ?? '', /non-finite value \(Infinity\)/);
        expected += 2;
        const text = await (await fetch(`${http.url}/metrics`)).text();
        assert.match(text, new RegExp(`^claude_code_commits_total ${expected}$`, 'm'), format);
      }
      // A string that is no number at all is still malformed: the whole request is refused.
      const bad = await post('/v1/metrics', String(request('json', NOW + 600_000)).replace('"NaN"', '"abc"'), { 'content-type': 'application/json' });
      assert.equal(bad.status, 400);
    });

    describe('bad input stores nothing', () => {
      it('malformed protobuf: 400 with a Status', async () => {
        const before = await count();
        const good = await encodeEvents([toolResult('toolu_bad', 'Bash')], 'protobuf');
        const res = await post('/v1/logs', good.subarray(0, good.length - 7), { 'content-type': CONTENT_TYPE.protobuf });
        assert.equal(res.status, 400);
        assert.equal(res.headers.get('content-type'), CONTENT_TYPE.protobuf);
        const res2 = await post('/v1/logs', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), { 'content-type': CONTENT_TYPE.protobuf });
        assert.equal(res2.status, 400);
        assert.equal(await count(), before);
      });

      it('malformed JSON and wrongly shaped JSON: 400 naming the field', async () => {
        const before = await count();
        assert.equal((await post('/v1/logs', '{"resourceLogs": [', { 'content-type': 'application/json' })).status, 400);
        const res = await post('/v1/logs', JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: 'x' }] }] }), { 'content-type': 'application/json' });
        assert.equal(res.status, 400);
        assert.match(((await res.json()) as { message: string }).message, /resourceLogs\.0\.scopeLogs\.0\.logRecords: must be an array/);
        // one bad record among good ones: the whole request is refused
        const good = JSON.parse(Buffer.from(await encodeEvents([toolResult('toolu_half', 'Bash')], 'json')).toString()) as {
          resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[];
        };
        good.resourceLogs[0]!.scopeLogs[0]!.logRecords.push({ timeUnixNano: 'soon' });
        assert.equal((await post('/v1/logs', JSON.stringify(good), { 'content-type': 'application/json' })).status, 400);
        assert.equal(await count(), before);
      });

      it('wrong content type or encoding: 415', async () => {
        const body = await encodeEvents([toolResult('toolu_415', 'Bash')], 'protobuf');
        assert.equal((await post('/v1/logs', body, { 'content-type': 'text/plain' })).status, 415);
        assert.equal((await post('/v1/logs', body, { 'content-type': CONTENT_TYPE.protobuf, 'content-encoding': 'br' })).status, 415);
        assert.equal((await rows()).filter((r) => r.dedupe_key === 'cc:toolu_415').length, 0);
      });

      it('oversized body and gzip bomb: 413, decompression stops at the cap', async () => {
        const cap = app.config.otlpMaxBodyBytes;
        const big = Buffer.alloc(cap + 1, 1);
        // The server answers before reading the whole body: no keep-alive reuse of that connection.
        assert.equal((await post('/v1/logs', big, { 'content-type': CONTENT_TYPE.protobuf, connection: 'close' })).status, 413);
        // 64 MiB of zeros in about 64 KiB of gzip
        const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
        assert.ok(bomb.length < cap);
        const res = await post('/v1/logs', bomb, { 'content-type': CONTENT_TYPE.protobuf, 'content-encoding': 'gzip' });
        assert.equal(res.status, 413);
      });

      it('unknown signal: 404, another method: 405, each with a Status', async () => {
        const traces = await post('/v1/traces', '{}', { 'content-type': 'application/json' });
        assert.equal(traces.status, 404);
        assert.deepEqual(await traces.json(), { code: 12, message: '/v1/traces is not received here: only logs (/v1/logs) and metrics (/v1/metrics)' });
        const get = await fetch(`${http.url}/v1/logs`);
        assert.equal(get.status, 405);
        assert.equal(get.headers.get('allow'), 'POST');
        assert.match(((await get.json()) as { message: string }).message, /^GET is not accepted on \/v1\/logs/);
      });
    });
  });
}
