/**
 * OTLP request bodies made by the official OpenTelemetry JavaScript SDK and
 * its serializers (the code Claude Code's own exporters run): log records
 * emitted through a LoggerProvider, metrics recorded through a MeterProvider
 * with the chosen temporality, then encoded as http/protobuf or http/json.
 */
import type { Attributes } from '@opentelemetry/api';
import { JsonLogsSerializer, JsonMetricsSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

export type WireFormat = 'protobuf' | 'json';

export const CONTENT_TYPE: Record<WireFormat, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

export interface TestEvent {
  /** Without the `claude_code.` prefix, e.g. `tool_result`. */
  name: string;
  attributes: Attributes;
  /** Epoch ms. */
  at: number;
}

const RESOURCE = { 'service.name': 'claude-code', 'service.version': '2.1.200' };

/** Claude Code's event shape: body `claude_code.<name>`, attribute `event.name`, eventName set. */
export async function encodeEvents(events: readonly TestEvent[], format: WireFormat): Promise<Uint8Array> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes(RESOURCE), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('com.anthropic.claude_code.events', '2.1.200');
  for (const e of events) {
    logger.emit({
      eventName: `claude_code.${e.name}`,
      body: `claude_code.${e.name}`,
      timestamp: e.at,
      attributes: { 'event.name': e.name, 'event.timestamp': new Date(e.at).toISOString(), ...e.attributes },
    });
  }
  await provider.forceFlush();
  const records = exporter.getFinishedLogRecords();
  await provider.shutdown();
  const bytes = (format === 'protobuf' ? ProtobufLogsSerializer : JsonLogsSerializer).serializeRequest(records);
  if (!bytes) throw new Error('the serializer returned nothing');
  return bytes;
}

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface MetricRecorder {
  /** Adds to a counter (created on first use). */
  add(name: string, value: number, attributes: Attributes): void;
  /** One export request holding what was recorded since the previous one (delta) or since start (cumulative). */
  collect(format: WireFormat): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function metricRecorder(temporality: 'delta' | 'cumulative'): MetricRecorder {
  const reader = new CollectingReader({
    aggregationTemporalitySelector: () => (temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE),
  });
  const provider = new MeterProvider({ resource: resourceFromAttributes(RESOURCE), readers: [reader] });
  const meter = provider.getMeter('com.anthropic.claude_code', '2.1.200');
  const counters = new Map<string, ReturnType<typeof meter.createCounter>>();
  return {
    add(name, value, attributes) {
      const c = counters.get(name) ?? counters.set(name, meter.createCounter(name)).get(name)!;
      c.add(value, attributes);
    },
    async collect(format) {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      const bytes = (format === 'protobuf' ? ProtobufMetricsSerializer : JsonMetricsSerializer).serializeRequest(resourceMetrics);
      if (!bytes) throw new Error('the serializer returned nothing');
      return bytes;
    },
    close: () => provider.shutdown(),
  };
}
