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
 * Typed skill activations (`skill_activated`, trigger `user-slash`) are
 * matched against the typed rows the hook and the transcript import already
 * stored for the same session and skill (read by their dedupe keys
 * `cc-typed:<session>:skill:<name>:<n>`, n = 1, 2, …): the row nearest in
 * time within TYPED_MATCH_WINDOW_MS is the same activation and the event is
 * written under its key (a duplicate); otherwise under the next free n, the
 * key the hook and the import will compute for it, so they become the
 * duplicates. The reads happen before any write; two export requests of
 * one session processed at the same moment could both take the same free n
 * (Claude Code sends a session's events in one sequence of requests).
 *
 * Metric data points with a non-finite value (NaN, ±Infinity: valid OTLP)
 * are skipped and reported as rejected in the partial success; the other
 * points of the request are counted.
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
import type { InvocationStore } from '../store/types.js';
import type { Tracker } from '../tracking/tracker.js';
import { decodeRequest, encodingOf, inflate, logRecordsOf, metricPointsOf, type OtlpEncoding, type OtlpLogRecord, type OtlpSignal } from './otlp-decode.js';
import {
  apiRequestCostError,
  apiRequestUsage,
  eventKind,
  promptKey,
  skillNameOf,
  type TelemetryTypedActivation,
  toolResultInvocation,
  typedActivation,
  typedInvocation,
  typedOrdinal,
} from './otlp-events.js';
import { typedDedupeKeyFor } from './tool-mapping.js';
import { labelsFor, SKILL_ACTIVATIONS, TELEMETRY_FAMILIES } from './otlp-metrics.js';

export interface OtlpIngestDeps {
  tracker: Pick<Tracker, 'trackBatch'>;
  /** The stored rows typed activations are matched against (by dedupe key). */
  invocations: Pick<InvocationStore, 'invokedAtByDedupeKey'>;
  /** Where api_request usage goes; without it those events are accepted and not stored. */
  skillCosts: Pick<SkillCostStore, 'record'> | null;
  hashUser: UserHasher;
  bus: EventBus;
  /** Cap on the body, compressed and decompressed. */
  maxBodyBytes: number;
  /** The user every row is stored under instead of the event's `user.id` (Config.telemetryUser); null: the event's. */
  telemetryUser?: string | null;
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
  /** Invocation rows written: tool results and typed activations (duplicates: already stored by a hook, the import or a resend). */
  invocations: { inserted: number; duplicates: number };
  usage: { inserted: number; duplicates: number };
}

/** skill_activated events remembered as counted (see OtlpIngest.countedActivations). */
const COUNTED_EVENTS_KEPT = 100_000;

/** Typed rows of one session and skill read per round (dedupe keys n … n + 31), up to MAX_TYPED_ORDINAL. */
const TYPED_PROBE = 32;
const MAX_TYPED_ORDINAL = 1024;

export class OtlpIngest {
  private readonly now: () => number;
  private readonly sums: MetricSums;
  /**
   * Exports holding typed activations, one at a time from reading the stored
   * ordinals to writing the rows: two exports in flight together would
   * otherwise both take the same free ordinal, and the second row would be
   * dropped as a duplicate. (Other exports are not held up.)
   */
  private typedTurn: Promise<unknown> = Promise.resolve();
  /**
   * skill_activated events already counted, by session and event.sequence (unique per event within a
   * session): an exporter resends an export whose answer it did not get, and the counter must not
   * count it twice. The oldest are forgotten past COUNTED_EVENTS_KEPT. Events without a sequence
   * (other senders) cannot be told apart from a second event and are counted.
   */
  private readonly countedActivations = new Set<string>();

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
    const records = this.asTelemetryUser(logRecordsOf(request));
    const now = this.now();
    const invocations: Record<string, unknown>[] = [];
    const usage: AttributedUsage[] = [];
    const activations = new Map<string, TelemetryCount>();
    const reasons = new Map<string, number>();
    const typed: TelemetryTypedActivation[] = [];
    let rejected = 0;
    const reject = (reason: string) => {
      rejected++;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    };
    // The skill names each prompt's api_request events carry (verbatim where skill_activated masks them).
    const promptNames = new Map<string, Set<string>>();
    for (const record of records) {
      if (eventKind(record) !== 'api_request' || apiRequestCostError(record.attrs) !== null) continue;
      const key = promptKey(record.attrs);
      const name = skillNameOf(record.attrs);
      if (key && name) (promptNames.get(key) ?? promptNames.set(key, new Set()).get(key)!).add(name);
    }
    for (const record of records) {
      const kind = eventKind(record);
      if (kind === 'tool_result') {
        const mapped = toolResultInvocation(record, now);
        if (mapped.ok) invocations.push(mapped.value);
        else reject(mapped.reason);
      } else if (kind === 'api_request') {
        const row = apiRequestUsage(record, this.deps.hashUser, now);
        if (row?.ok) usage.push(row.value);
        else if (row) reject(row.reason);
      } else if (kind === 'skill_activated') {
        if (this.firstCount(record)) {
          const labels = labelsFor(SKILL_ACTIVATIONS, record.attrs);
          const key = JSON.stringify(labels);
          const c = activations.get(key) ?? activations.set(key, { family: SKILL_ACTIVATIONS, labels, value: 0 }).get(key)!;
          c.value++;
        }
        const t = typedActivation(record, now, promptNames);
        if (t?.ok) typed.push(t.value);
        else if (t) reject(t.reason);
      }
    }
    const write = async () => {
      const typedRows = await this.typedRows(typed);
      // Usage first: both writes are idempotent, so a retry after a failure between them completes the request.
      const usageResult = usage.length > 0 && this.deps.skillCosts ? await this.deps.skillCosts.record(usage) : { inserted: 0, duplicates: 0 };
      // Tool results and typed activations in one atomic batch.
      const rows = [...invocations, ...typedRows];
      const inv = rows.length > 0 ? await this.deps.tracker.trackBatch(rows, 'logRecords') : { inserted: 0, duplicates: 0 };
      return { usageResult, inv };
    };
    const { usageResult, inv } = typed.length > 0 ? await this.inTypedTurn(write) : await write();
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

  /** Whether this skill_activated event is counted now: false when the same event was counted before (a resent export). */
  private firstCount(record: OtlpLogRecord): boolean {
    const session = record.attrs['session.id'];
    const sequence = record.attrs['event.sequence'];
    if (typeof session !== 'string' || (typeof sequence !== 'string' && typeof sequence !== 'number')) return true;
    const id = `${session}\u0000${sequence}`;
    if (this.countedActivations.has(id)) return false;
    this.countedActivations.add(id);
    if (this.countedActivations.size > COUNTED_EVENTS_KEPT) this.countedActivations.delete(this.countedActivations.values().next().value!);
    return true;
  }

  /** The records with the configured telemetry user in place of the ids they carry (unchanged without one). */
  private asTelemetryUser(records: OtlpLogRecord[]): OtlpLogRecord[] {
    const user = this.deps.telemetryUser;
    if (!user) return records;
    return records.map((r) => {
      const { 'user.account_uuid': _account, ...attrs } = r.attrs;
      return { ...r, attrs: { ...attrs, 'user.id': user } };
    });
  }

  /** Runs `fn` after every earlier export with typed activations has been written (or failed). */
  private inTypedTurn<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.typedTurn.then(fn);
    this.typedTurn = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The typed activations as tracker rows, each under the dedupe key of the
   * stored row it matches or of the next free ordinal (see the file header
   * and otlp-events.ts typedOrdinal); in time order per session and skill.
   */
  private async typedRows(typed: readonly TelemetryTypedActivation[]): Promise<Record<string, unknown>[]> {
    const groups = new Map<string, TelemetryTypedActivation[]>();
    for (const t of typed) {
      const key = `${t.sessionId}\u0000${t.skill}`;
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(t);
    }
    const out: Record<string, unknown>[] = [];
    for (const group of groups.values()) {
      const { sessionId, skill } = group[0]!;
      const rows = await this.storedTyped(sessionId, skill);
      const used = new Set<number>();
      for (const t of [...group].sort((x, y) => x.at - y.at)) {
        const { ordinal, matched } = typedOrdinal(rows, t.at, used);
        used.add(ordinal);
        if (!matched) rows.set(ordinal, t.at);
        out.push(typedInvocation(t, typedDedupeKeyFor(sessionId, skill, ordinal)));
      }
    }
    return out;
  }

  /** The stored typed rows of a session and skill: ordinal → invoked_at, read by their dedupe keys. */
  private async storedTyped(sessionId: string, skill: string): Promise<Map<number, number>> {
    const rows = new Map<number, number>();
    for (let from = 1; from <= MAX_TYPED_ORDINAL; from += TYPED_PROBE) {
      const keys = Array.from({ length: TYPED_PROBE }, (_, i) => typedDedupeKeyFor(sessionId, skill, from + i));
      const found = await this.deps.invocations.invokedAtByDedupeKey(keys);
      keys.forEach((k, i) => {
        const at = found.get(k);
        if (at !== undefined) rows.set(from + i, at);
      });
      if (found.size < TYPED_PROBE) break;
    }
    return rows;
  }

  async metrics(req: OtlpRequest): Promise<OtlpResult> {
    const { encoding, request } = this.decode('metrics', req);
    const points = metricPointsOf(request);
    const counts = new Map<string, TelemetryCount>();
    const reasons = new Map<string, number>();
    let rejected = 0;
    for (const p of points) {
      if (!Number.isFinite(p.value)) {
        // Valid OTLP, but no count: skipped and reported, the request's other points still counted.
        const reason = `${p.metric.slice(0, 128)} data point with a non-finite value (${p.value}): must be a finite number; skipped`;
        rejected++;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        continue;
      }
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
    return {
      encoding,
      received: points.length,
      rejected,
      message: [...reasons].map(([r, n]) => `${n} × ${r}`).join('; '),
      invocations: { inserted: 0, duplicates: 0 },
      usage: { inserted: 0, duplicates: 0 },
    };
  }
}
