/**
 * The insight tools (collaborative recommendations, A/B tests, success
 * prediction), registered once per McpServer over the app's shared insight
 * services (insights/insight-services.ts).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { InsightServices } from '../../insights/insight-services.js';
import type { ToolDeps } from '../tool-deps.js';
import { registerAssignAbTestVariantTool } from './assign-ab-test-variant.js';
import { registerCreateAbTestTool } from './create-ab-test.js';
import { registerGetAbTestResultsTool } from './get-ab-test-results.js';
import { registerGetCollaborativeRecommendationsTool } from './get-collaborative-recommendations.js';
import { registerPredictSkillSuccessTool } from './predict-skill-success.js';
import { registerRecordAbTestOutcomeTool } from './record-ab-test-outcome.js';
import { registerTrainSuccessModelTool } from './train-success-model.js';

export function registerInsightTools(server: McpServer, deps: ToolDeps, extras: InsightServices): void {
  registerGetCollaborativeRecommendationsTool(server, deps, extras.recommender);
  registerCreateAbTestTool(server, deps, extras.experiments);
  registerAssignAbTestVariantTool(server, deps, extras.experiments);
  registerRecordAbTestOutcomeTool(server, deps, extras.experiments);
  registerGetAbTestResultsTool(server, deps, extras.experiments);
  registerTrainSuccessModelTool(server, deps, extras.trainer, extras.communityMinUsers);
  registerPredictSkillSuccessTool(server, deps, { predictors: extras.predictors, communityMinUsers: extras.communityMinUsers });
}
