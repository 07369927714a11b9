/**
 * Input fields shared by the insight tools (recommendations, A/B tests,
 * success prediction). The user, skill and phase fields are the tracking
 * schema's, so every entry point applies the same rules.
 */
import { z } from 'zod';
import type { Experiment } from '../../store/experiment-types.js';
import { invocationShape, textField } from '../../tracking/invocation-input.js';

export const userIdField = invocationShape.user_id;
export const skillNameField = invocationShape.skill_name;
export const workflowPhaseField = invocationShape.workflow_phase;
export const experimentNameField = textField(128);
export const variantNameField = textField(64);
export const metricNameField = textField(64);
export const descriptionField = textField(1000);

export const intField = (min: number, max: number) => z.number().int('must be an integer').min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);

/** ISO 8601 UTC. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An experiment as the A/B tools report it. */
export const experimentSchema = z.object({
  name: z.string(),
  description: z.string(),
  variants: z.array(z.string()).describe('The first variant is the control'),
  traffic_split: z.array(z.number()),
  metric: z.string(),
  min_sample_size: z.number().int(),
  status: z.enum(['running', 'stopped']),
  created_at: z.string(),
});

export function experimentOutput(e: Experiment): z.infer<typeof experimentSchema> {
  return {
    name: e.name,
    description: e.description,
    variants: e.variants,
    traffic_split: e.traffic_split,
    metric: e.metric,
    min_sample_size: e.min_sample_size,
    status: e.status,
    created_at: iso(e.created_at),
  };
}
