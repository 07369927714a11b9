/**
 * The /ws live stream (protocol: ws-protocol.ts). Attaches to the HTTP
 * server's upgrade event, so it shares the port with /mcp and /metrics.
 *
 * Pushes are driven by the in-process event bus (plus, while someone watches
 * the invocations channel, the StoreFeed's rows written by other processes):
 * - invocation and anomaly events are coalesced (EventCoalescer) and each
 *   distinct message is serialised once per push, then sent to every client
 *   whose subscription it matches;
 * - the snapshot is loaded once per interval from the rollups (only while a
 *   client is subscribed to it) and built once per distinct skill selection;
 *   a new snapshot subscription also gets the history series (history.ts).
 * Clients that stop answering pings are dropped; a client whose send buffer
 * is full misses pushes (counted in websocket_messages_dropped_total) rather
 * than making the server buffer without bound.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { HOUR_MS, hourOf } from '../analytics/types.js';
import { toAppError } from '../errors.js';
import type { AnomalyEvent, EventBus, InvocationEvent } from '../events.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../server/access-policy.js';
import type { HttpMount } from '../server/http-server.js';
import type { AnalyticsQueries, StoredAnomaly } from '../store/analytics-types.js';
import { EventCoalescer, type CoalescedBatch } from './event-coalescer.js';
import { HistoryWindows } from './history.js';
import type { StoreFeed } from './store-feed.js';
import type { WsMetricsSink } from './metrics-exporter.js';
import { buildSnapshot, loadSnapshotData, type SnapshotData } from './snapshot.js';
import { describeSubscription, makeSubscription, type Subscription } from './subscription.js';
import { trendPoints } from './trend-points.js';
import {
  CHANNELS,
  errorMessage,
  parseClientMessage,
  PROTOCOL_VERSION,
  type Channel,
  type ClientMessage,
  type RedactedInvocationEvent,
  type ServerMessage,
} from './ws-protocol.js';

export const WS_PATH = '/ws';
/** A client with more than this many bytes queued misses pushes until it catches up. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Client messages allowed per connection per second. */
const MAX_MESSAGES_PER_SECOND = 20;
/** Messages at least this large are sent compressed to clients that negotiated permessage-deflate. */
const COMPRESSION_THRESHOLD_BYTES = 8 * 1024;
const RECENT_ANOMALIES = 20;
const DEFAULT_TREND_HOURS = 24;

export interface WsHubDeps {
  bus: EventBus;
  /** The rolling-window reads of the snapshot. */
  windows: Pick<AnalyticsQueries, 'windowTotals' | 'windowHistograms' | 'hourlyRollups'>;
  logger: Logger;
  now: () => number;
  version: string;
  metrics?: WsMetricsSink;
  /** Rows other processes write to the store, fed to the invocations channel while it has subscribers. */
  storeFeed?: StoreFeed;
}

export interface WsHubOptions {
  /** Who may connect (Host, Origin, token); non-admin callers get invocation events without user_hash, session_id and project. */
  access: AccessPolicy;
  maxClients: number;
  maxMessageBytes: number;
  heartbeatMs: number;
  snapshotIntervalMs: number;
  eventFlushMs: number;
  maxEventsPerPush: number;
  topSkills: number;
  windowHours: number;
  /** Negotiate permessage-deflate (default true). */
  compression?: boolean;
}

interface Client {
  ws: WebSocket;
  /** Sees who did what (user_hash, session_id, project): the installation token, an admin token, or the local user. */
  admin: boolean;
  sub: Subscription | null;
  alive: boolean;
  windowStart: number;
  messagesInWindow: number;
}

export class WsHub implements HttpMount {
  private readonly wss: WebSocketServer;
  private readonly clients = new Map<WebSocket, Client>();
  private readonly channelCounts: Record<Channel, number> = { snapshot: 0, invocations: 0, anomalies: 0 };
  private readonly coalescer: EventCoalescer;
  private readonly recentAnomalies: AnomalyEvent[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private port: number | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private snapshotRunning = false;
  private lastSnapshotData: SnapshotData | null = null;
  private readonly history: HistoryWindows;
  private droppedSinceReport = 0;
  private closed = false;
  private readonly servers: Server[] = [];

  constructor(
    private readonly deps: WsHubDeps,
    private readonly opts: WsHubOptions,
  ) {
    this.history = new HistoryWindows(deps.windows, opts.windowHours);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxMessageBytes,
      clientTracking: false,
      perMessageDeflate:
        opts.compression === false
          ? false
          : {
              // Only large pushes (event bursts) are compressed: a snapshot (~3 KiB)
              // or a single event would cost each client its own deflate run for
              // little gain. Small windows and memory levels keep the
              // per-connection zlib state to a few KiB.
              threshold: COMPRESSION_THRESHOLD_BYTES,
              zlibDeflateOptions: { level: 1, memLevel: 4 },
              serverMaxWindowBits: 10,
              clientMaxWindowBits: 10,
              serverNoContextTakeover: true,
              clientNoContextTakeover: true,
              concurrencyLimit: 10,
            },
    });
    this.coalescer = new EventCoalescer(opts.eventFlushMs, opts.maxEventsPerPush, (batch) => this.push(batch));
    this.unsubscribe.push(
      // Backfilled history (imports, demo data) is not live traffic: never pushed as it happens.
      deps.bus.on('invocations.recorded', (events, meta) => {
        if (meta?.backfill !== true && this.channelCounts.invocations > 0) this.coalescer.addInvocations(events);
      }),
      deps.bus.on('anomalies.detected', (events) => {
        this.recentAnomalies.push(...events);
        if (this.recentAnomalies.length > RECENT_ANOMALIES) this.recentAnomalies.splice(0, this.recentAnomalies.length - RECENT_ANOMALIES);
        if (this.channelCounts.anomalies > 0) this.coalescer.addAnomalies(events);
      }),
    );
    deps.metrics?.setConnections(0);
  }

  /**
   * Anomalies stored before this hub started (newest first, as the store lists
   * them), so that snapshots after a restart show the recent ones too; later
   * detections follow them.
   */
  seedAnomalies(stored: readonly StoredAnomaly[]): void {
    const older = stored
      .slice(0, RECENT_ANOMALIES)
      .reverse()
      .map(({ id: _id, ...event }) => event);
    this.recentAnomalies.unshift(...older);
    if (this.recentAnomalies.length > RECENT_ANOMALIES) this.recentAnomalies.splice(0, this.recentAnomalies.length - RECENT_ANOMALIES);
  }

  /** Number of connected clients. */
  get size(): number {
    return this.clients.size;
  }

  attach(server: Server): void {
    const address = server.address();
    if (address && typeof address === 'object') this.port = (address as AddressInfo).port;
    server.on('upgrade', this.onUpgrade);
    this.servers.push(server);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const s of this.servers.splice(0)) s.off('upgrade', this.onUpgrade);
    this.coalescer.close();
    this.deps.storeFeed?.stop();
    this.stopTimers();
    const closing = [...this.clients.keys()].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(1001, 'server shutting down');
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 250).unref();
        }),
    );
    await Promise.all(closing);
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return this.reject(socket, 400, 'bad request target');
    }
    if (url.pathname !== WS_PATH) {
      // Another component may own this path; answer only when nobody else listens.
      if (this.servers.some((s) => s.listenerCount('upgrade') > 1)) return;
      return this.reject(socket, 404, `no WebSocket endpoint at ${url.pathname}; use ${WS_PATH}`);
    }
    if (this.closed) return this.reject(socket, 503, 'server shutting down');
    this.opts.access.check('ws', this.port, req.headers, url).then(
      (access) => {
        if (socket.destroyed) return; // the client gave up while its token was being checked
        if (!access.ok) return this.reject(socket, access.status, access.reason);
        if (this.closed) return this.reject(socket, 503, 'server shutting down');
        if (this.clients.size >= this.opts.maxClients) {
          return this.reject(socket, 503, `connection limit of ${this.opts.maxClients} clients reached`);
        }
        const admin = access.caller.role === 'admin';
        this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, admin));
      },
      (err: unknown) => {
        this.deps.logger.error('websocket access check failed', { err });
        this.reject(socket, 503, 'access check failed');
      },
    );
  };

  private reject(socket: Duplex, status: number, reason: string): void {
    if (socket.destroyed) return;
    const body = `${reason}\n`;
    socket.once('finish', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  private onConnection(ws: WebSocket, admin: boolean): void {
    if (this.closed) {
      ws.terminate();
      return;
    }
    const client: Client = { ws, admin, sub: null, alive: true, windowStart: 0, messagesInWindow: 0 };
    this.clients.set(ws, client);
    this.deps.metrics?.setConnections(this.clients.size);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    ws.on('error', (err) => this.deps.logger.debug('websocket client error', { err }));
    ws.on('close', () => this.remove(client));
    this.send(client, {
      v: PROTOCOL_VERSION,
      type: 'hello',
      server_version: this.deps.version,
      heartbeat_ms: this.opts.heartbeatMs,
      snapshot_interval_ms: this.opts.snapshotIntervalMs,
      event_flush_ms: this.opts.eventFlushMs,
      recent_anomalies: [...this.recentAnomalies],
    });
    if (this.heartbeat === null) {
      this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  private remove(client: Client): void {
    if (!this.clients.delete(client.ws)) return;
    this.setSubscription(client, null);
    this.deps.metrics?.setConnections(this.clients.size);
    if (this.clients.size === 0) this.stopTimers();
  }

  private beat(): void {
    for (const c of this.clients.values()) {
      if (!c.alive) {
        // Missed the previous ping: the peer is gone or stuck.
        c.ws.terminate();
        this.remove(c);
        continue;
      }
      c.alive = false;
      try {
        c.ws.ping();
      } catch {
        // the socket is already closing; its close event removes it
      }
    }
  }

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    const t = this.deps.now();
    if (t - client.windowStart >= 1000) {
      client.windowStart = t;
      client.messagesInWindow = 0;
    }
    client.messagesInWindow++;
    if (client.messagesInWindow > MAX_MESSAGES_PER_SECOND) {
      // Answer the first excess message only, so a flood does not get an equal flood back.
      if (client.messagesInWindow === MAX_MESSAGES_PER_SECOND + 1) {
        this.send(client, errorMessage('RATE_LIMITED', `at most ${MAX_MESSAGES_PER_SECOND} messages per second; further messages this second are ignored`));
      }
      return;
    }
    if (isBinary) {
      this.send(client, errorMessage('INVALID_INPUT', 'binary frames are not supported; send JSON text'));
      return;
    }
    const parsed = parseClientMessage(rawToString(data));
    if (!parsed.ok) {
      this.send(client, parsed.error);
      return;
    }
    this.handle(client, parsed.message);
  }

  private handle(client: Client, msg: ClientMessage): void {
    switch (msg.type) {
      case 'subscribe': {
        const sub = makeSubscription(msg.skills, msg.channels ?? CHANNELS);
        this.setSubscription(client, sub);
        this.send(client, { v: PROTOCOL_VERSION, type: 'subscribed', ...describeSubscription(sub) });
        if (sub.channels.has('snapshot')) {
          if (this.lastSnapshotData) {
            this.send(client, buildSnapshot(this.lastSnapshotData, sub.skills, this.opts.topSkills, this.clients.size));
          } else {
            void this.snapshotTick();
          }
          void this.sendHistory(client, sub);
        }
        return;
      }
      case 'unsubscribe':
        this.setSubscription(client, null);
        this.send(client, { v: PROTOCOL_VERSION, type: 'unsubscribed' });
        return;
      case 'ping':
        this.send(client, msg.id === undefined ? { v: PROTOCOL_VERSION, type: 'pong' } : { v: PROTOCOL_VERSION, type: 'pong', id: msg.id });
        return;
      case 'get_trend':
        void this.sendTrend(client, msg.skill, msg.hours ?? DEFAULT_TREND_HOURS, msg.id);
        return;
    }
  }

  private setSubscription(client: Client, sub: Subscription | null): void {
    if (client.sub) for (const c of client.sub.channels) this.channelCounts[c]--;
    client.sub = sub;
    if (sub) for (const c of sub.channels) this.channelCounts[c]++;
    if (this.channelCounts.invocations > 0 && !this.closed) {
      this.deps.storeFeed?.start((events, omitted) => this.coalescer.addInvocations(events, omitted));
    } else {
      this.deps.storeFeed?.stop();
    }
    if (this.channelCounts.snapshot > 0 && this.snapshotTimer === null && !this.closed) {
      this.snapshotTimer = setInterval(() => void this.snapshotTick(), this.opts.snapshotIntervalMs);
      this.snapshotTimer.unref();
    } else if (this.channelCounts.snapshot === 0 && this.snapshotTimer !== null) {
      clearInterval(this.snapshotTimer);
      this.snapshotTimer = null;
      this.lastSnapshotData = null;
    }
  }

  /** The history series of a new snapshot subscription; dropped when the client subscribed again meanwhile. */
  private async sendHistory(client: Client, sub: Subscription): Promise<void> {
    try {
      const points = await this.history.series(this.deps.now(), sub.skills);
      if (client.sub !== sub || this.closed) return;
      this.send(client, {
        v: PROTOCOL_VERSION,
        type: 'history',
        skills: describeSubscription(sub).skills,
        window_hours: this.opts.windowHours,
        step_ms: HOUR_MS,
        points,
      });
    } catch (err) {
      this.deps.logger.warn('live history failed', { err });
    }
  }

  private async sendTrend(client: Client, skill: string, hours: number, id: string | number | undefined): Promise<void> {
    try {
      const toHour = hourOf(this.deps.now());
      const fromHour = toHour - hours + 1;
      const rows = await this.deps.windows.hourlyRollups({ fromHour, toHour, skills: [skill] });
      const base = { v: PROTOCOL_VERSION, type: 'trend', skill, hours, points: trendPoints(rows, fromHour, toHour) } as const;
      this.send(client, id === undefined ? base : { ...base, id });
    } catch (err) {
      const e = toAppError(err);
      if (e.code === 'INTERNAL') this.deps.logger.error('trend query failed', { err });
      this.send(client, errorMessage(e.code, e.message, id));
    }
  }

  /** Loads the window once and sends each subscriber the snapshot of its selection. */
  private async snapshotTick(): Promise<void> {
    if (this.snapshotRunning || this.closed || this.channelCounts.snapshot === 0) return;
    this.snapshotRunning = true;
    try {
      const data = await loadSnapshotData(this.deps.windows, this.deps.now(), this.opts.windowHours);
      if (this.closed) return;
      this.lastSnapshotData = data;
      const payloads = new Map<string, Buffer>();
      for (const c of this.clients.values()) {
        if (!c.sub?.channels.has('snapshot')) continue;
        let payload = payloads.get(c.sub.skillsKey);
        if (payload === undefined) {
          payload = encode(buildSnapshot(data, c.sub.skills, this.opts.topSkills, this.clients.size));
          payloads.set(c.sub.skillsKey, payload);
        }
        this.sendRaw(c, payload);
      }
    } catch (err) {
      this.deps.logger.warn('live snapshot failed', { err });
    } finally {
      this.snapshotRunning = false;
      this.reportDropped();
    }
  }

  /** Sends one coalesced batch: each distinct message is built and serialised once. */
  private push(batch: CoalescedBatch): void {
    const invocationPayloads = new Map<string, Buffer | null>();
    const anomalyPayloads = new Map<string, Buffer | null>();
    for (const c of this.clients.values()) {
      const sub = c.sub;
      if (!sub) continue;
      if (batch.invocationTotal > 0 && sub.channels.has('invocations')) {
        const key = `${c.admin ? 'a' : 'r'}${sub.skillsKey}`;
        let payload = invocationPayloads.get(key);
        if (payload === undefined) {
          payload = invocationsPayload(batch, sub, c.admin);
          invocationPayloads.set(key, payload);
        }
        if (payload !== null) this.sendRaw(c, payload);
      }
      if (batch.anomalies.length > 0 && sub.channels.has('anomalies')) {
        let payload = anomalyPayloads.get(sub.skillsKey);
        if (payload === undefined) {
          const events = sub.skills === null ? batch.anomalies : batch.anomalies.filter((e) => sub.skills!.has(e.skill_name));
          payload = events.length > 0 ? encode({ v: PROTOCOL_VERSION, type: 'anomalies', events }) : null;
          anomalyPayloads.set(sub.skillsKey, payload);
        }
        if (payload !== null) this.sendRaw(c, payload);
      }
    }
    this.reportDropped();
  }

  private send(client: Client, msg: ServerMessage): void {
    this.sendRaw(client, encode(msg));
  }

  /** Sends an already encoded message as a text frame (encoded once, shared by all its recipients). */
  private sendRaw(client: Client, payload: Buffer): void {
    const ws = client.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.droppedSinceReport++;
      return;
    }
    ws.send(payload, { binary: false });
  }

  private reportDropped(): void {
    if (this.droppedSinceReport > 0) {
      this.deps.metrics?.dropped(this.droppedSinceReport);
      this.droppedSinceReport = 0;
    }
  }

  private stopTimers(): void {
    if (this.heartbeat !== null && (this.closed || this.clients.size === 0)) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
    if (this.snapshotTimer !== null && (this.closed || this.channelCounts.snapshot === 0)) {
      clearInterval(this.snapshotTimer);
      this.snapshotTimer = null;
      this.lastSnapshotData = null;
    }
  }
}

function encode(msg: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(msg));
}

/** An invocation event without who did it (user_hash), in which session, on which project: what non-admin subscribers get. */
function redact({ user_hash: _u, session_id: _s, project: _p, ...rest }: InvocationEvent): RedactedInvocationEvent {
  return rest;
}

/** The invocations message for one skill selection (redacted for non-admin subscribers), or null when nothing matches. */
function invocationsPayload(batch: CoalescedBatch, sub: Subscription, admin: boolean): Buffer | null {
  const shown = (events: InvocationEvent[]) => (admin ? events : events.map(redact));
  if (sub.skills === null) {
    return encode({
      v: PROTOCOL_VERSION,
      type: 'invocations',
      events: shown(batch.invocations),
      omitted: batch.invocationTotal - batch.invocations.length,
    });
  }
  let total = 0;
  for (const s of sub.skills) total += batch.invocationCounts.get(s) ?? 0;
  if (total === 0) return null;
  const events = batch.invocations.filter((e) => sub.skills!.has(e.skill_name));
  return encode({ v: PROTOCOL_VERSION, type: 'invocations', events: shown(events), omitted: total - events.length });
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
