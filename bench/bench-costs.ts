import type { AttributedUsage } from '../src/store/skill-cost-types.js';

/**
 * Bench cost rows: per invocation one API call under `stamped` and one under
 * `bounded`, tokens from the duration (a stand-in, not a model of real usage),
 * priced at a flat rate per token except every 20th call, whose model has no price.
 */
export function benchCosts(
  chunk: readonly { skill_name: string; user_id: string; session_id: string; invoked_at?: number | string }[],
  hash: (u: string) => string,
): AttributedUsage[] {
  const out: AttributedUsage[] = [];
  chunk.forEach((inv, i) => {
    const input = 500 + (i % 97) * 40;
    for (const attribution of ['stamped', 'bounded'] as const) {
      out.push({
        key: `bench:${inv.session_id}:${inv.invoked_at}:${i}:${attribution}`,
        skill: inv.skill_name,
        attribution,
        userHash: hash(inv.user_id),
        sessionKey: inv.session_id,
        model: i % 20 === 0 ? 'unpriced-model' : 'bench-model',
        at: typeof inv.invoked_at === 'number' ? inv.invoked_at : Date.now(),
        inputTokens: input,
        outputTokens: input / 4,
        cacheWriteTokens: 0,
        cacheReadTokens: input * 3,
        costUsd: i % 20 === 0 ? null : input * 3e-6,
      });
    }
  });
  return out;
}
