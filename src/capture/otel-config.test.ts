import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { otelEnv, shellLines } from './otel-config.js';

describe('otelEnv', () => {
  it('sends events and metrics over http/protobuf to the server, with the token header only when given', () => {
    assert.deepEqual(otelEnv({ host: '127.0.0.1', port: 7140, token: null }), {
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:7140',
      OTEL_LOG_TOOL_DETAILS: '1',
    });
    const env = otelEnv({ host: '0.0.0.0', port: 7141, token: 'abc' });
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:7141');
    assert.equal(env.OTEL_EXPORTER_OTLP_HEADERS, 'Authorization=Bearer abc');
    assert.deepEqual(shellLines({ A: 'x', B: 'Authorization=Bearer abc' }), ['export A=x', "export B='Authorization=Bearer abc'"]);
  });
});
