/**
 * The server's own periodic work, so that it watches without any client
 * asking: anomaly detection (stored once per episode, published on the bus,
 * hence pushed on /ws, counted in skill_anomalies_total and fanned out) and
 * the community-baseline refresh. Each job claims its time slot through the
 * store first, so with several instances on one PostgreSQL store exactly one
 * of them runs it per interval (scheduled-job.ts).
 */
import type { App } from '../app.js';
import { startScheduledJob, type ScheduledJob } from '../insights/scheduled-job.js';

const DETECTION_JOB = 'anomaly-detection';
const BASELINES_JOB = 'community-baselines';

export interface ScheduledWork {
  detection: ScheduledJob | null;
  baselines: ScheduledJob | null;
  stop(): Promise<void>;
}

export function startScheduledWork(app: App): ScheduledWork {
  const { config, stores, logger, now } = app;
  const log = logger.child({ component: 'scheduler' });
  const { detection: d } = config;
  const detection =
    d.intervalMs === null
      ? null
      : startScheduledJob({
          name: DETECTION_JOB,
          intervalMs: d.intervalMs,
          leases: stores.leases,
          logger: log,
          now,
          run: async () => {
            const run = await app.anomalies.run({ threshold: d.threshold, timeWindowHours: d.windowHours, baselineDays: d.baselineDays });
            if (run.stored.length > 0) log.info('scheduled detection found new anomalies', { new: run.stored.length, reported: run.report.anomalies.length });
          },
        });
  const baselines =
    config.baselinesRefreshMs === null
      ? null
      : startScheduledJob({
          name: BASELINES_JOB,
          intervalMs: config.baselinesRefreshMs,
          leases: stores.leases,
          logger: log,
          now,
          run: async () => {
            await app.baselines.refresh();
          },
        });
  return {
    detection,
    baselines,
    async stop() {
      await Promise.all([detection?.stop(), baselines?.stop()]);
    },
  };
}
