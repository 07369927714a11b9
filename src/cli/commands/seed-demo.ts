import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { loadPriceTable } from '../../capture/model-price-file.js';
import { createDemoCostGenerator } from '../../tracking/demo-data.js';
import { seedDemo } from '../../tracking/demo-seed.js';
import type { CliContext } from '../context.js';
import { createProgress } from '../progress.js';
import { checkFlags, intFlag } from '../flags.js';

/** The largest seed: the demo generator's PRNG has a 32-bit state. */
const MAX_SEED = 2 ** 32 - 1;

export function registerSeedDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('seed-demo')
    .description(
      'fill the database with realistic synthetic invocations (skewed skills, many users, anomalies) and synthetic token costs of its Skill invocations',
    )
    .option('--invocations <n>', 'how many invocations', '10000')
    .option('--seed <n>', `random seed, 0-${MAX_SEED} (same seed, same data: a second run adds nothing; another seed adds more)`, '42')
    .option('--days <n>', 'spread over this many past days', '30')
    .action(async (opts: { invocations: string; seed: string; days: string }, cmd: Command) => {
      const { n, seed, days } = checkFlags({
        n: () => intFlag('--invocations', opts.invocations, 1, 50_000_000),
        // The generator's PRNG (mulberry32) keeps the seed's low 32 bits (`seed >>> 0`): a seed outside
        // 0..2^32-1 would give the data of another seed (1e300 that of 0) under dedupe keys of its own.
        seed: () => intFlag('--seed', opts.seed, 0, MAX_SEED, '(the generator keeps 32 bits of it)'),
        days: () => intFlag('--days', opts.days, 1, 3650),
      });
      const app = await (await import('../../app.js')).openApp(ctx.config(cmd), { logger: createLogger('silent') });
      const started = Date.now();
      // Ctrl-C stops the run after the batch in flight, which is one transaction with its costs. The listener
      // is `once`: a second Ctrl-C ends the process at once, and the batch in flight is then not written at all.
      let interrupted = false;
      const onInterrupt = () => {
        interrupted = true;
      };
      process.once('SIGINT', onInterrupt);
      try {
        const progress = createProgress('seeding', n, ctx.stderr as NodeJS.WriteStream);
        // Synthetic token usage of the demo's Skill invocations (the skill report's cost columns).
        const costsOf = createDemoCostGenerator(seed, { prices: loadPriceTable(app.config.dataDir), hashUser: app.hashUser });
        // Keyed (`demo:<seed>:<n>`, as its cost rows are): a second run with the same seed adds nothing.
        const { done, inserted, stopped } = await seedDemo(
          { tracker: app.tracker, costsOf },
          { invocations: n, seed, days, now: app.now() },
          { onBatch: (d) => progress.update(d), stopRequested: () => interrupted },
        );
        const secs = (Date.now() - started) / 1000;
        progress.finish();
        const present = done - inserted;
        if (stopped) {
          throw new AppError(
            'INTERRUPTED',
            `interrupted: seeded ${done} of ${n} invocations (seed ${seed}) into ${app.stores.location}, each with its costs: ` +
              `${inserted} new, ${present} already present; the other ${n - done} were not written: run the same command again to add them`,
          );
        }
        ctx.stdout.write(
          `seeded ${done} invocations (seed ${seed}) in ${secs.toFixed(1)} s (${Math.round(done / secs)}/s) into ${app.stores.location}: ` +
            `${inserted} new, ${present} already present\n` +
            (present > 0
              ? `the ${present} already present came from an earlier run with seed ${seed} (same seed, same invocations); to add more, pass another seed, e.g. --seed ${seed + 1}\n`
              : ''),
        );
      } finally {
        process.removeListener('SIGINT', onInterrupt);
        await app.close();
      }
    });
}
