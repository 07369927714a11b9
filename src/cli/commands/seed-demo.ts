import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { loadPriceTable } from '../../capture/model-price-file.js';
import { createDemoCostGenerator, generateDemoInvocations } from '../../tracking/demo-data.js';
import type { CliContext } from '../context.js';
import { createProgress } from '../progress.js';
import { checkFlags, intFlag } from '../flags.js';

export function registerSeedDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('seed-demo')
    .description(
      'fill the database with realistic synthetic invocations (skewed skills, many users, anomalies) and synthetic token costs of its Skill invocations',
    )
    .option('--invocations <n>', 'how many invocations', '10000')
    .option('--seed <n>', 'random seed (same seed, same data: a second run adds nothing; another seed adds more)', '42')
    .option('--days <n>', 'spread over this many past days', '30')
    .action(async (opts: { invocations: string; seed: string; days: string }, cmd: Command) => {
      const { n, seed, days } = checkFlags({
        n: () => intFlag('--invocations', opts.invocations, 1, 50_000_000),
        seed: () => {
          const v = Number(opts.seed);
          if (!Number.isInteger(v)) throw AppError.invalid('--seed', 'must be an integer');
          return v;
        },
        days: () => intFlag('--days', opts.days, 1, 3650),
      });
      const app = await (await import('../../app.js')).openApp(ctx.config(cmd), { logger: createLogger('silent') });
      const started = Date.now();
      try {
        const progress = createProgress('seeding', n, ctx.stderr as NodeJS.WriteStream);
        // Synthetic token usage of the demo's Skill invocations (the skill report's cost columns).
        const demoCosts = createDemoCostGenerator(seed, { prices: loadPriceTable(app.config.dataDir), hashUser: app.hashUser });
        let done = 0;
        let inserted = 0;
        // Keyed (`demo:<seed>:<n>`, as its cost rows are): a second run with the same seed adds nothing.
        for (const chunk of generateDemoInvocations({ invocations: n, seed, days, now: app.now(), dedupeKeys: true }, 200_000)) {
          inserted += (await app.tracker.trackBatch(chunk)).inserted;
          const costs = demoCosts(chunk);
          if (costs.length > 0) await app.stores.skillCosts.record(costs);
          done += chunk.length;
          progress.update(done);
        }
        const secs = (Date.now() - started) / 1000;
        progress.finish();
        const present = done - inserted;
        ctx.stdout.write(
          `seeded ${done} invocations (seed ${seed}) in ${secs.toFixed(1)} s (${Math.round(done / secs)}/s) into ${app.stores.location}: ` +
            `${inserted} new, ${present} already present\n` +
            (present > 0
              ? `the ${present} already present came from an earlier run with seed ${seed} (same seed, same invocations); to add more, pass another seed, e.g. --seed ${seed + 1}\n`
              : ''),
        );
      } finally {
        await app.close();
      }
    });
}
