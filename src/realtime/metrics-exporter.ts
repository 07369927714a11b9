/**
 * Prometheus exporter. Owns its own prom-client Registry (never the global
 * one, so several apps in one process, e.g. tests, stay isolated) and keeps it
 * up to date from the in-process event bus.
 *
 * Metrics and their restart semantics:
 * - skill_invocations_total{skill_name,workflow_phase,completed}: live
 *   invocations only, initialised at start-up from the store's all-time
 *   per-phase totals minus their backfilled part, so the value is right
 *   after a restart (Prometheus sees no reset).
 * - skill_invocations_backfilled_total{skill_name}: invocations this process
 *   recorded as backfill (recorded more than the backfill threshold after
 *   they happened: imports, demo data). They are history: they move neither
 *   skill_invocations_total nor skill_duration_seconds, so a month-old import
 *   of failures cannot fire a rate alert. The stored totals the exporter
 *   re-reads count them apart too (skill_phase_totals.backfilled), so rows
 *   another process backfills (`import`, `seed-demo`) stay out as well.
 * - skill_duration_seconds{skill_name} (histogram): starts empty at every
 *   start-up. Prometheus detects the reset and rate()/increase() (hence
 *   histogram_quantile over rate()) handle it. No workflow_phase label: that
 *   would multiply the bucket series by 8 for little gain.
 * - skill_anomalies_total{severity}, mcp_tool_calls_total{tool,outcome},
 *   mcp_tool_duration_seconds{tool}: process-lifetime counters, reset on restart.
 * - websocket_connections_active, websocket_messages_dropped_total.
 * - claude_code_*_total: Claude Code's own OTLP metrics (/v1/metrics) and
 *   skill_activated events, summed since the server started (a reset on
 *   restart); per-session and per-user attributes are not labels (see
 *   capture/otlp-metrics.ts).
 * - skill_cost_usd{skill_name,attribution}, skill_attributed_tokens{skill_name,
 *   attribution,kind}, skill_attributed_api_calls{skill_name,attribution},
 *   skill_cost_unpriced_calls{skill_name,attribution}: all-time figures of the
 *   skill cost store (costs attributed to skills from transcripts), read from
 *   its rollups at most every COST_REFRESH_MS on scrape; gauges, since they
 *   are stored values re-read, not counted by this process. skill_cost_usd is
 *   left out for a series with unpriced calls: its cost is unknown, and a sum
 *   of the priced calls alone would present a guess as a measurement.
 * - session_buddy_info{version} = 1, plus process_* and nodejs_* runtime metrics
 *   (prom-client's defaults, minus three gauges misnamed *_total).
 *
 * skill_name values are user data: skill_invocations_total and
 * skill_duration_seconds export at most `maxSkillLabels` distinct names, further
 * skills are counted under skill_name="__other__" (see LabelCap). Which names
 * get a series (the rule, fixed so that a series never jumps or vanishes while
 * the process runs):
 * - Only live activity claims a name: the stored live totals at start-up, a
 *   live invocation recorded here, or stored live totals that grew when
 *   re-read (another process's `record`). Backfilled history never does: an
 *   imported skill with no live use takes no name, and
 *   skill_invocations_backfilled_total has a cap of its own.
 * - At start-up the stored names with the most live invocations claim at most
 *   RESTORE_SHARE of the cap; the rest is kept for skills used live while the
 *   process runs, so new skills get a series even after a long history.
 * - A name keeps its series for the life of the process; once the cap is full
 *   every further name is counted under "__other__".
 * - A name that claims its series after start-up while its stored history is
 *   under "__other__" counts from that moment: the history stays in
 *   "__other__" (summed over skill_name, nothing counts twice), and the new
 *   series starts at zero. After a restart the names are chosen again, which
 *   Prometheus sees as resets of the series concerned.
 * The two per-skill families are rendered by skill-series.ts (fast path for
 * the bulk of the exposition); everything else lives in the exporter's own
 * prom-client Registry, and /metrics is the concatenation of both.
 * Invocations written by another process to the same SQLite file (e.g. the
 * CLI's `record` or `import`) are picked up by re-reading the stored totals
 * every `reconcileMs` (see InvocationCounter.raiseTo).
 *
 * Several instances (a shared PostgreSQL store, events relayed over Redis):
 * each instance counts only what it recorded itself (events with
 * `meta.origin` came from another instance, which counts them), so that
 * sum() over the instances' series is the team total. For the same reason
 * `restoreTotals: false` (used on a shared store) starts the invocation
 * counter at zero instead of at the store's all-time totals: every instance
 * would otherwise export the whole team's history. Prometheus treats the
 * restart as a counter reset.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AnomalyEvent, EventBus, InvocationEvent, TelemetryCount, ToolCallEvent } from '../events.js';
import type { Logger } from '../logger.js';
import { FailureNote } from './failure-note.js';
import type { PhaseTotal, RollupReads } from '../store/types.js';
import { addCostSums } from '../store/skill-cost-rollup.js';
import type { SkillCostStore, SkillCostTotal } from '../store/skill-cost-types.js';
import { LabelCap, OTHER_LABEL } from './label-cap.js';
import { DurationHistogram, InvocationCounter } from './skill-series.js';

/** Seconds; agent skills run from tens of milliseconds to several minutes. */
const SKILL_DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Seconds; MCP tool calls are mostly local database work. */
const TOOL_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** prom-client default metrics that are gauges despite a `_total` suffix. */
const NON_CONFORMING_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** The cost gauges re-read the store at most this often. */
const COST_REFRESH_MS = 60_000;

/** At start-up, the stored history claims at most this share of the skill label cap. */
const RESTORE_SHARE = 0.8;

/** Live totals of one skill, by `phase\0completed`. */
type LiveTotals = Map<string, { phase: string; completed: boolean; live: number }>;

/** The live part of the stored totals, per skill; skills with no live invocation are left out. */
function liveBySkill(totals: readonly PhaseTotal[]): Map<string, LiveTotals> {
  const out = new Map<string, LiveTotals>();
  for (const t of totals) {
    const live = t.invocations - t.backfilled;
    if (live <= 0) continue;
    let m = out.get(t.skill);
    if (!m) out.set(t.skill, (m = new Map()));
    const key = `${t.workflowPhase}\u0000${t.completed}`;
    const cur = m.get(key);
    if (cur) cur.live += live;
    else m.set(key, { phase: t.workflowPhase, completed: t.completed, live });
  }
  return out;
}

function sumLive(m: LiveTotals | undefined): number {
  let n = 0;
  for (const v of m?.values() ?? []) n += v.live;
  return n;
}

export interface MetricsExporterDeps {
  bus: EventBus;
  store: Pick<RollupReads, 'phaseTotals'>;
  /** Skill costs for the cost gauges; absent: no cost gauges. */
  costs?: Pick<SkillCostStore, 'totals'>;
  /** Clock of the cost gauges' refresh (default Date.now). */
  now?: () => number;
  logger: Logger;
  version: string;
}

export interface MetricsExporterOptions {
  maxSkillLabels: number;
  processMetrics: boolean;
  /** Start skill_invocations_total at the store's all-time totals (default true; false on a shared store). */
  restoreTotals?: boolean;
  /** With restoreTotals: how often to re-read the stored totals for other processes' writes (default 5 s; 0: never). */
  reconcileMs?: number;
}

/** What the WebSocket hub reports to the exporter. */
export interface WsMetricsSink {
  setConnections(n: number): void;
  dropped(n: number): void;
}

export class MetricsExporter implements WsMetricsSink {
  readonly registry = new Registry();
  private readonly skills: LabelCap;
  /** The names of skill_invocations_backfilled_total: a cap of their own, so that history takes no live name. */
  private readonly backfilledSkills: LabelCap;
  /** The live totals of the last read of the store, per skill. */
  private storedLive = new Map<string, LiveTotals>();
  /** Per skill that claimed its name after start-up: its stored live totals then, which stay in __other__. */
  private readonly claimedAt = new Map<string, LiveTotals>();
  private readonly invocations = new InvocationCounter(
    'Live skill invocations recorded, by skill, workflow phase and outcome (all-time, restored from the store at start-up; backfilled history excluded).',
  );
  private readonly durations = new DurationHistogram('Duration of skill invocations recorded since the server started.', SKILL_DURATION_BUCKETS);
  private readonly anomalies: Counter<'severity'>;
  private readonly backfilled: Counter<'skill_name'>;
  private readonly toolCalls: Counter<'tool' | 'outcome'>;
  private readonly toolDurations: Histogram<'tool'>;
  private readonly wsConnections: Gauge;
  private readonly wsDropped: Counter;
  private readonly telemetry = new Map<string, Counter<string>>();
  private readonly models = new LabelCap(64);
  /**
   * The skill labels of Claude Code's telemetry families: a cap of their own, so that names only telemetry
   * reports (or reports unprefixed, `pdf` for `skill:pdf`) never take the invocation series' names away.
   */
  private readonly telemetrySkills: LabelCap;
  private readonly unsubscribe: (() => void)[] = [];
  private reconciling = false;
  private costCache: { at: number; rows: SkillCostTotal[] } | null = null;
  private readonly costFailures: FailureNote;
  private readonly totalsFailures: FailureNote;

  /**
   * Builds the exporter, subscribes it to the bus and adds the stored
   * all-time totals to the invocation counter.
   */
  static async create(deps: MetricsExporterDeps, opts: MetricsExporterOptions): Promise<MetricsExporter> {
    const exporter = new MetricsExporter(deps, opts);
    if (opts.restoreTotals === false) {
      exporter.subscribe();
      return exporter;
    }
    // The SQLite store runs the query synchronously inside this call, and the
    // bus listeners are added in the same tick: every invocation is either in
    // the totals or delivered as an event, never both, never neither.
    const totalsPromise = deps.store.phaseTotals();
    exporter.subscribe();
    try {
      const stored = liveBySkill(await totalsPromise);
      exporter.storedLive = stored;
      // Most live invocations first (ties by name, so the choice does not depend on row order).
      const names = [...stored.keys()].map((name) => ({ name, live: sumLive(stored.get(name)) }));
      names.sort((a, b) => b.live - a.live || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const restoreMax = Math.ceil(opts.maxSkillLabels * RESTORE_SHARE);
      for (const { name } of names) {
        const label = exporter.skills.has(name) || exporter.skills.size < restoreMax ? exporter.skills.map(name) : OTHER_LABEL;
        for (const t of stored.get(name)!.values()) exporter.invocations.inc(label, t.phase, t.completed, t.live);
      }
    } catch (err) {
      exporter.close();
      throw err;
    }
    const every = opts.reconcileMs ?? 5000;
    if (every > 0) {
      const timer = setInterval(() => void exporter.reconcile(), every);
      timer.unref();
      exporter.unsubscribe.push(() => clearInterval(timer));
    }
    return exporter;
  }

  /**
   * Re-reads the stored all-time totals and raises each series to them: rows
   * written by another process to the same store. Rows this process wrote are
   * in both its count and the totals; the series takes the larger, so they
   * count once whichever is seen first.
   */
  async reconcile(): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      const fresh = liveBySkill(await this.deps.store.phaseTotals());
      // Skills whose live totals grew since the last read are in use now: they claim a name, most grown first.
      const grown: { name: string; by: number }[] = [];
      for (const [name, m] of fresh) {
        const by = this.skills.has(name) ? 0 : sumLive(m) - sumLive(this.storedLive.get(name));
        if (by > 0) grown.push({ name, by });
      }
      grown.sort((a, b) => b.by - a.by || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const { name } of grown) this.claim(name);
      this.storedLive = fresh;
      const sums = new Map<string, { skill: string; phase: string; completed: boolean; total: number }>();
      const add = (skill: string, phase: string, completed: boolean, n: number) => {
        const key = `${skill}\u0000${phase}\u0000${completed}`;
        const s = sums.get(key) ?? sums.set(key, { skill, phase, completed, total: 0 }).get(key)!;
        s.total += n;
      };
      for (const [name, m] of fresh) {
        const skill = this.skills.lookup(name);
        const before = this.claimedAt.get(name);
        for (const [key, t] of m) {
          // What a late-claimed name had when it claimed stays in __other__; its own series counts the rest.
          const kept = Math.min(before?.get(key)?.live ?? 0, t.live);
          add(skill, t.phase, t.completed, t.live - kept);
          if (kept > 0) add(OTHER_LABEL, t.phase, t.completed, kept);
        }
      }
      for (const s of sums.values()) if (s.total > 0) this.invocations.raiseTo(s.skill, s.phase, s.completed, s.total);
      this.totalsFailures.worked();
    } catch (err) {
      this.totalsFailures.failed(err);
    } finally {
      this.reconciling = false;
    }
  }

  private constructor(
    private readonly deps: MetricsExporterDeps,
    opts: MetricsExporterOptions,
  ) {
    this.costFailures = new FailureNote(deps.logger, 'reading the stored cost totals for /metrics');
    this.totalsFailures = new FailureNote(deps.logger, 're-reading the stored invocation totals');
    const registers = [this.registry];
    this.skills = new LabelCap(opts.maxSkillLabels);
    this.backfilledSkills = new LabelCap(opts.maxSkillLabels);
    this.telemetrySkills = new LabelCap(opts.maxSkillLabels);
    this.anomalies = new Counter({
      name: 'skill_anomalies_total',
      help: 'Anomalies detected since the server started, by severity.',
      labelNames: ['severity'],
      registers,
    });
    for (const severity of ['warning', 'critical']) this.anomalies.inc({ severity }, 0);
    this.backfilled = new Counter({
      name: 'skill_invocations_backfilled_total',
      help: 'Invocations recorded by this process long after they happened (imports, demo data): history, not counted in skill_invocations_total.',
      labelNames: ['skill_name'],
      registers,
    });
    this.toolCalls = new Counter({
      name: 'mcp_tool_calls_total',
      help: 'MCP tool calls since the server started, by tool and outcome (ok or error).',
      labelNames: ['tool', 'outcome'],
      registers,
    });
    this.toolDurations = new Histogram({
      name: 'mcp_tool_duration_seconds',
      help: 'Duration of MCP tool calls since the server started.',
      labelNames: ['tool'],
      buckets: TOOL_DURATION_BUCKETS,
      registers,
    });
    this.wsConnections = new Gauge({
      name: 'websocket_connections_active',
      help: 'WebSocket clients currently connected to /ws.',
      registers,
    });
    this.wsDropped = new Counter({
      name: 'websocket_messages_dropped_total',
      help: 'Live-stream messages not sent to a client because its send buffer was full.',
      registers,
    });
    if (deps.costs) this.registerCostGauges(deps.costs, registers, opts.maxSkillLabels);
    new Gauge({
      name: 'session_buddy_info',
      help: 'Always 1; the version label names the running release.',
      labelNames: ['version'],
      registers,
    }).set({ version: deps.version }, 1);
    if (opts.processMetrics) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named *_total break the Prometheus naming rules (promtool check
      // metrics rejects them); their per-type siblings (nodejs_active_handles
      // etc.) carry the same information.
      for (const name of NON_CONFORMING_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    }
  }

  /**
   * The all-time cost totals, re-read at most every COST_REFRESH_MS (one read serves all four gauges of
   * a scrape). While the store does not answer, the last totals read (none before the first read), so
   * that a scrape still gets every other series.
   */
  private async costTotals(costs: Pick<SkillCostStore, 'totals'>): Promise<SkillCostTotal[]> {
    const now = (this.deps.now ?? Date.now)();
    if (this.costCache === null || now - this.costCache.at >= COST_REFRESH_MS) {
      try {
        this.costCache = { at: now, rows: await costs.totals() };
        this.costFailures.worked();
      } catch (err) {
        this.costFailures.failed(err);
        return this.costCache?.rows ?? [];
      }
    }
    return this.costCache.rows;
  }

  private registerCostGauges(costs: Pick<SkillCostStore, 'totals'>, registers: Registry[], maxSkillLabels: number): void {
    // Its own cap, most costly skills first at each read; the rest under __other__.
    const cap = () => new LabelCap(maxSkillLabels);
    const sums = async () => {
      const rows = [...(await this.costTotals(costs))].sort((a, b) => b.costUsd - a.costUsd || b.apiCalls - a.apiCalls);
      const labels = cap();
      const out = new Map<string, SkillCostTotal>();
      for (const r of rows) {
        const skill = labels.map(r.skill);
        const key = `${skill}\u0000${r.attribution}`;
        const cur = out.get(key);
        if (cur) addCostSums(cur, r);
        else out.set(key, { ...r, skill });
      }
      return [...out.values()];
    };
    new Gauge({
      name: 'skill_cost_usd',
      help: 'All-time USD of the API calls attributed to a skill under one attribution rule (stamped, bounded, telemetry); absent while any of them has no price (unknown).',
      labelNames: ['skill_name', 'attribution'],
      registers,
      async collect() {
        this.reset();
        for (const t of await sums()) if (t.unpricedCalls === 0) this.set({ skill_name: t.skill, attribution: t.attribution }, t.costUsd);
      },
    });
    new Gauge({
      name: 'skill_cost_unpriced_calls',
      help: 'All-time API calls attributed to a skill whose model has no price: while above 0, the skill cost is unknown.',
      labelNames: ['skill_name', 'attribution'],
      registers,
      async collect() {
        this.reset();
        for (const t of await sums()) this.set({ skill_name: t.skill, attribution: t.attribution }, t.unpricedCalls);
      },
    });
    new Gauge({
      name: 'skill_attributed_api_calls',
      help: 'All-time API calls attributed to a skill under one attribution rule.',
      labelNames: ['skill_name', 'attribution'],
      registers,
      async collect() {
        this.reset();
        for (const t of await sums()) this.set({ skill_name: t.skill, attribution: t.attribution }, t.apiCalls);
      },
    });
    new Gauge({
      name: 'skill_attributed_tokens',
      help: 'All-time tokens of the API calls attributed to a skill, by attribution rule and kind (input, output, cache_write, cache_read).',
      labelNames: ['skill_name', 'attribution', 'kind'],
      registers,
      async collect() {
        this.reset();
        for (const t of await sums()) {
          const l = { skill_name: t.skill, attribution: t.attribution };
          this.set({ ...l, kind: 'input' }, t.inputTokens);
          this.set({ ...l, kind: 'output' }, t.outputTokens);
          this.set({ ...l, kind: 'cache_write' }, t.cacheWriteTokens);
          this.set({ ...l, kind: 'cache_read' }, t.cacheReadTokens);
        }
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition in the Prometheus text format. */
  async metrics(): Promise<string> {
    const rest = await this.registry.metrics();
    return `${this.invocations.render()}\n${this.durations.render()}\n${rest}`;
  }

  setConnections(n: number): void {
    this.wsConnections.set(n);
  }

  dropped(n: number): void {
    if (n > 0) this.wsDropped.inc(n);
  }

  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private subscribe(): void {
    const { bus, logger } = this.deps;
    // Listeners run inside the tracker's call: never let a metrics problem fail a recording.
    const guard =
      <A extends unknown[]>(what: string, fn: (...args: A) => void) =>
      (...args: A) => {
        try {
          fn(...args);
        } catch (err) {
          logger.warn('metrics update failed', { what, err });
        }
      };
    this.unsubscribe.push(
      // Only this instance's events: relayed ones (meta.origin) are counted by the instance that recorded them.
      bus.on(
        'invocations.recorded',
        guard('invocations', (events, meta) => {
          if (meta?.origin !== undefined) return;
          if (meta?.backfill === true) this.onBackfill(events);
          else this.onInvocations(events);
        }),
      ),
      bus.on(
        'anomalies.detected',
        guard('anomalies', (events, meta) => {
          if (meta?.origin === undefined) this.onAnomalies(events);
        }),
      ),
      bus.on(
        'tool.called',
        guard('tool', (event) => this.onToolCall(event)),
      ),
      bus.on(
        'telemetry.counted',
        guard('telemetry', (counts) => this.onTelemetry(counts)),
      ),
    );
  }

  /** Claude Code's OTLP counts: one counter family per metric, created on first use; skill and model labels capped. */
  private onTelemetry(counts: readonly TelemetryCount[]): void {
    for (const c of counts) {
      let counter = this.telemetry.get(c.family.name);
      if (!counter) {
        counter = new Counter({ name: c.family.name, help: c.family.help, labelNames: Object.values(c.family.labels), registers: [this.registry] });
        this.telemetry.set(c.family.name, counter);
      }
      const labels = { ...c.labels };
      if (labels.skill) labels.skill = this.telemetrySkills.map(labels.skill);
      if (labels.model) labels.model = this.models.map(labels.model);
      counter.inc(labels, c.value);
    }
  }

  private onInvocations(events: readonly InvocationEvent[]): void {
    for (const e of events) {
      const skill = this.claim(e.skill_name);
      this.invocations.inc(skill, e.workflow_phase, e.completed);
      // An unmeasured duration (typed activation, unmatched hooks) is no observation of 0 s.
      if (e.duration_known !== false) this.durations.observe(skill, e.duration_ms / 1000);
    }
  }

  /**
   * The label of a skill in live use: its name if it has one or there is room. A name claimed after
   * start-up while the store holds live history for it notes that history, which stays in __other__.
   */
  private claim(name: string): string {
    if (this.skills.has(name)) return name;
    const label = this.skills.map(name);
    const history = this.storedLive.get(name);
    if (label === name && history) this.claimedAt.set(name, history);
    return label;
  }

  private onBackfill(events: readonly InvocationEvent[]): void {
    for (const e of events) this.backfilled.inc({ skill_name: this.backfilledSkills.map(e.skill_name) });
  }

  private onAnomalies(events: readonly AnomalyEvent[]): void {
    for (const e of events) this.anomalies.inc({ severity: e.severity });
  }

  private onToolCall(e: ToolCallEvent): void {
    this.toolCalls.inc({ tool: e.tool, outcome: e.outcome });
    this.toolDurations.observe({ tool: e.tool }, e.seconds);
  }
}
