/**
 * The OTLP receiver's use case: one export request (logs or metrics) in, its
 * rows stored, the OTLP response out. The HTTP route only passes the raw body
 * and headers here.
 *
 * All-or-nothing per request: the body is decoded and every record mapped
 * before anything is written, so a malformed request stores nothing. Records
 * that decode but cannot be used (a tool_result without tool_use_id) are
 * reported back as rejected in the partial success; unknown events are
 * accepted and ignored. The invocation rows and the usage rows are written
 * by their stores with dedupe keys, so a sender's retry stores nothing twice.
 *
 * Metrics are summed in memory (analytics/metric-sums.ts) and published as
 * counts for the Prometheus exporter; the token and cost figures per skill
 * come from the `api_request` events instead (one row per API call), so the
 * two are never added together.
 */
import { MetricSums, seriesKey } from '../analytics/metric-sums.js';
import type { EventBus, TelemetryCount } from '../events.js';
import type { UserHasher } from '../store/salt.js';
import type { AttributedUsage, SkillCostStore } from '../store/skill-cost-types.js';
import type { Tracker } from '../tracking/tracker.js';
import { decodeRequest, encodingOf, inflate, logRecordsOf, metricPointsOf, type OtlpEncoding, type OtlpSignal } from './otlp-decode.js';
import { apiRequestUsage, eventKind, toolResultInvocation } from './otlp-events.js';
import { labelsFor, SKILL_ACTIVATIONS, TELEMETRY_FAMILIES } from './otlp-metrics.js';

export interface OtlpIngestDeps {
  tracker: Pick<Tracker, 'trackBatch'>;
  /** Where api_request usage goes; without it those events are accepted and not stored. */
  skillCosts: Pick<SkillCostStore, 'record'> | null;
  hashUser: UserHasher;
  bus: EventBus;
  /** Cap on the body, compressed and decompressed. */
  maxBodyBytes: number;
  now?: () => number;
}

export interface OtlpRequest {
  body: Uint8Array;
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

export interface OtlpResult {
  encoding: OtlpEncoding;
  /** Records (logs) or data points (metrics) in the request. */
  received: number;
  rejected: number;
  /** Why records were rejected ('' when none were). */
  message: string;
  invocations: { inserted: number; duplicates: number };
  usage: { inserted: number; duplicates: number };
}

export class OtlpIngest {
  private readonly now: () => number;
  private readonly sums: MetricSums;

  constructor(private readonly deps: OtlpIngestDeps) {
    this.now = deps.now ?? Date.now;
    this.sums = new MetricSums(this.now());
  }

  /** The encoding a request asks for (throws UNSUPPORTED_MEDIA_TYPE), for error responses too. */
  encodingOf(contentType: string | undefined): OtlpEncoding {
    return encodingOf(contentType);
  }

  private decode(signal: OtlpSignal, req: OtlpRequest): { encoding: OtlpEncoding; request: Record<string, unknown> } {
    const encoding = encodingOf(req.contentType);
    const body = inflate(req.body, req.contentEncoding, this.deps.maxBodyBytes);
    return { encoding, request: decodeRequest(signal, encoding, body) };
  }

  async logs(req: OtlpRequest): Promise<OtlpResult> {
    const { encoding, request } = this.decode('logs', req);
    const records = logRecordsOf(request);
    const now = this.now();
    const invocations: Record<string, unknown>[] = [];
    const usage: AttributedUsage[] = [];
    const activations = new Map<string, TelemetryCount>();
    const reasons = new Map<string, number>();
    let rejected = 0;
    for (const record of records) {
      const kind = eventKind(record);
      if (kind === 'tool_result') {
        const mapped = toolResultInvocation(record, now);
        if (mapped.ok) invocations.push(mapped.value);
        else {
          rejected++;
          reasons.set(mapped.reason, (reasons.get(mapped.reason) ?? 0) + 1);
        }
      } else if (kind === 'api_request') {
        const row = apiRequestUsage(record, this.deps.hashUser, now);
        if (row) usage.push(row);
      } else if (kind === 'skill_activated') {
        const labels = labelsFor(SKILL_ACTIVATIONS, record.attrs);
        const key = JSON.stringify(labels);
        const c = activations.get(key) ?? activations.set(key, { family: SKILL_ACTIVATIONS, labels, value: 0 }).get(key)!;
        c.value++;
      }
    }
    // Usage first: both writes are idempotent, so a retry after a failure between them completes the request.
    const usageResult = usage.length > 0 && this.deps.skillCosts ? await this.deps.skillCosts.record(usage) : { inserted: 0, duplicates: 0 };
    const inv = invocations.length > 0 ? await this.deps.tracker.trackBatch(invocations, 'logRecords') : { inserted: 0, duplicates: 0 };
    if (activations.size > 0) this.deps.bus.emit('telemetry.counted', [...activations.values()]);
    return {
      encoding,
      received: records.length,
      rejected,
      message: [...reasons].map(([r, n]) => `${n} × ${r}`).join('; '),
      invocations: { inserted: inv.inserted, duplicates: inv.duplicates },
      usage: usageResult,
    };
  }

  async metrics(req: OtlpRequest): Promise<OtlpResult> {
    const { encoding, request } = this.decode('metrics', req);
    const points = metricPointsOf(request);
    const counts = new Map<string, TelemetryCount>();
    for (const p of points) {
      const family = TELEMETRY_FAMILIES[p.metric];
      if (!family || p.kind !== 'sum' || p.temporality === 0) continue;
      const inc = this.sums.increment({
        series: seriesKey(p.metric, p.attrs),
        temporality: p.temporality,
        startNano: p.startNano,
        timeNano: p.timeNano,
        value: p.value,
      });
      if (inc <= 0) continue;
      const labels = labelsFor(family, p.attrs);
      const key = `${family.name}\u0000${JSON.stringify(labels)}`;
      const c = counts.get(key) ?? counts.set(key, { family, labels, value: 0 }).get(key)!;
      c.value += inc;
    }
    if (counts.size > 0) this.deps.bus.emit('telemetry.counted', [...counts.values()]);
    return { encoding, received: points.length, rejected: 0, message: '', invocations: { inserted: 0, duplicates: 0 }, usage: { inserted: 0, duplicates: 0 } };
  }
}
