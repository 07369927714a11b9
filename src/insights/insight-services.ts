/**
 * The app-level objects the insight tools (collaborative recommendations, A/B
 * tests, success prediction) share across MCP sessions: the in-memory
 * recommendation index and the recommender over it (which applies the
 * community's k), the experiment and model stores, the model trainer and the
 * cache of the latest deserialised model.
 *
 * `createInsightServices` is called once per app by the composition root (it
 * subscribes to the bus and may run worker threads: call `dispose` on shutdown).
 *
 * On a shared (PostgreSQL) store other instances write too: the
 * recommendation index then also applies the invocation events they publish
 * through the fan-out and is rebuilt from the store every
 * SHARED_INDEX_REBUILD_MS (which also catches writers without fan-out).
 * Training reads its sample through the store and trains in the worker.
 */
import type { TrainOptions } from '../analytics/prediction.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { ModelStore } from '../store/model-types.js';
import type { Stores } from '../store/stores.js';
import { ExperimentService } from './experiment-service.js';
import { ModelTrainer, type TrainingRunner } from './model-trainer.js';
import { PredictorCache } from './predictor-cache.js';
import { SkillRecommender } from './recommendations.js';
import { UserSkillCache } from './user-skill-cache.js';

export interface InsightServices {
  userSkillCache: UserSkillCache;
  recommender: SkillRecommender;
  experiments: ExperimentService;
  models: ModelStore;
  trainer: ModelTrainer;
  predictors: PredictorCache;
  /** k (config `communityMinUsers`): recommendations and success predictions give figures across users only of skills this many users used. */
  communityMinUsers: number;
}

/** How often the recommendation index is rebuilt from a shared store. */
const SHARED_INDEX_REBUILD_MS = 60_000;

export interface InsightServiceDeps {
  stores: Pick<Stores, 'kind' | 'analyticsQueries' | 'experiments' | 'models' | 'changeToken' | 'trainingDbFile'>;
  bus: EventBus;
  logger: Logger;
  /** k: a recommended skill needs at least this many users (config `communityMinUsers`). */
  communityMinUsers: number;
  /** Clock of the periodic rebuild on a shared store (default Date.now). */
  now?: () => number;
}

export interface InsightServiceOptions {
  /** Where model training runs; default 'worker' (falls back to the main thread if a worker cannot start). */
  trainingRunner?: TrainingRunner;
  /** Cap on invocations read per training run; default 50,000. */
  trainingSampleLimit?: number;
  trainOptions?: TrainOptions;
}

export function createInsightServices(deps: InsightServiceDeps, options: InsightServiceOptions = {}): InsightServices & { dispose(): Promise<void> } {
  const { stores, bus, logger } = deps;
  const { models } = stores;
  const now = deps.now ?? Date.now;
  const shared = stores.kind === 'postgres';
  const userSkillCache = new UserSkillCache({
    store: stores.analyticsQueries,
    bus,
    // SQLite: changes only when another connection (another process) commits: rebuild then.
    // Shared store: rebuild periodically; events relayed from the other instances are applied meanwhile.
    changeToken: stores.changeToken ?? (() => Math.floor(now() / SHARED_INDEX_REBUILD_MS)),
    applyRemoteEvents: shared,
  });
  const trainer = new ModelTrainer({
    models,
    ...(stores.trainingDbFile !== null ? { dbFile: stores.trainingDbFile } : {}),
    logger: logger.child({ component: 'model-trainer' }),
    ...(options.trainingRunner !== undefined ? { runner: options.trainingRunner } : {}),
    ...(options.trainingSampleLimit !== undefined ? { sampleLimit: options.trainingSampleLimit } : {}),
    ...(options.trainOptions !== undefined ? { trainOptions: options.trainOptions } : {}),
  });
  return {
    userSkillCache,
    recommender: new SkillRecommender({ cache: userSkillCache, store: stores.analyticsQueries, communityMinUsers: deps.communityMinUsers }),
    experiments: new ExperimentService(stores.experiments),
    models,
    trainer,
    predictors: new PredictorCache(models),
    communityMinUsers: deps.communityMinUsers,
    async dispose() {
      userSkillCache.dispose();
      await trainer.dispose();
    },
  };
}
