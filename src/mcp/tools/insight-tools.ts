/**
 * The insight tools (collaborative recommendations, A/B tests, success
 * prediction) and the app-level objects they share across MCP sessions:
 * the in-memory recommendation index, the experiment and model stores, the
 * model trainer and the cache of the latest deserialised model.
 *
 * `createInsightServices` is called once per app (it subscribes to the bus
 * and may run worker threads: call `dispose` on shutdown);
 * `registerInsightTools` once per McpServer.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { TrainOptions } from '../../analytics/prediction.js';
import type { EventBus } from '../../events.js';
import { ModelTrainer, type TrainingRunner } from '../../insights/model-trainer.js';
import { PredictorCache } from '../../insights/predictor-cache.js';
import { UserSkillCache } from '../../insights/user-skill-cache.js';
import type { Logger } from '../../logger.js';
import { ExperimentStore } from '../../store/sqlite/experiment-store.js';
import { ModelStore } from '../../store/sqlite/model-store.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { ToolDeps } from '../tool-deps.js';
import { registerAssignAbTestVariantTool } from './assign-ab-test-variant.js';
import { registerCreateAbTestTool } from './create-ab-test.js';
import { registerGetAbTestResultsTool } from './get-ab-test-results.js';
import { registerGetCollaborativeRecommendationsTool } from './get-collaborative-recommendations.js';
import { registerPredictSkillSuccessTool } from './predict-skill-success.js';
import { registerRecordAbTestOutcomeTool } from './record-ab-test-outcome.js';
import { registerTrainSuccessModelTool } from './train-success-model.js';

export interface InsightServices {
  userSkillCache: UserSkillCache;
  experiments: ExperimentStore;
  models: ModelStore;
  trainer: ModelTrainer;
  predictors: PredictorCache;
}

export interface InsightServiceDeps {
  store: SqliteStore;
  bus: EventBus;
  logger: Logger;
}

export interface InsightServiceOptions {
  /** Where model training runs; default 'worker' (falls back to the main thread if a worker cannot start). */
  trainingRunner?: TrainingRunner;
  /** Cap on invocations read per training run; default 50,000. */
  trainingSampleLimit?: number;
  trainOptions?: TrainOptions;
  /** Stored models kept; default 5. */
  keepModels?: number;
}

export function createInsightServices(
  deps: InsightServiceDeps,
  options: InsightServiceOptions = {},
): InsightServices & { dispose(): Promise<void> } {
  const { store, bus, logger } = deps;
  const models = new ModelStore(store.db, options.keepModels);
  const userSkillCache = new UserSkillCache({
    store,
    bus,
    // Changes only when another connection (another process) commits: rebuild then.
    changeToken: () => store.db.pragma('data_version', { simple: true }) as number,
  });
  const trainer = new ModelTrainer({
    models,
    dbFile: store.file,
    logger: logger.child({ component: 'model-trainer' }),
    ...(options.trainingRunner !== undefined ? { runner: options.trainingRunner } : {}),
    ...(options.trainingSampleLimit !== undefined ? { sampleLimit: options.trainingSampleLimit } : {}),
    ...(options.trainOptions !== undefined ? { trainOptions: options.trainOptions } : {}),
  });
  return {
    userSkillCache,
    experiments: new ExperimentStore(store.db),
    models,
    trainer,
    predictors: new PredictorCache(models),
    async dispose() {
      userSkillCache.dispose();
      await trainer.dispose();
    },
  };
}

export function registerInsightTools(server: McpServer, deps: ToolDeps, extras: InsightServices): void {
  registerGetCollaborativeRecommendationsTool(server, deps, extras.userSkillCache);
  registerCreateAbTestTool(server, deps, extras.experiments);
  registerAssignAbTestVariantTool(server, deps, extras.experiments);
  registerRecordAbTestOutcomeTool(server, deps, extras.experiments);
  registerGetAbTestResultsTool(server, deps, extras.experiments);
  registerTrainSuccessModelTool(server, deps, extras.trainer);
  registerPredictSkillSuccessTool(server, deps, extras.predictors);
}
