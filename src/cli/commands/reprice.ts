import type { Command } from 'commander';
import { loadPriceTable } from '../../capture/model-price-file.js';
import type { RepriceResult } from '../../store/skill-cost-types.js';
import { openTracker } from '../../tracking/open-tracker.js';
import type { CliContext } from '../context.js';
import { lazyProgress } from '../progress.js';

interface RepriceOpts {
  json?: boolean;
}

function describe(r: RepriceResult, priceVersion: string): string {
  return (
    // Stored rows are one per API call and rule: a call attributed under both rules is two of them.
    `repriced ${r.calls} attribution(s) of API calls to skills (one per call and rule, stamped or bounded) [prices ${priceVersion}]: ${r.changed} changed` +
    (r.unpriced > 0 ? `; ${r.unpriced} of them with no price for their model (cost unknown, tokens counted)` : '') +
    (r.approximate > 0 ? `; ${r.approximate} stored without their 1-hour cache writes (all cache writes priced at the 5-minute price)` : '') +
    (r.telemetry > 0 ? `; ${r.telemetry} telemetry call(s) keep the cost Claude Code reported` : '') +
    '\n'
  );
}

export function registerRepriceCommand(program: Command, ctx: CliContext): void {
  program
    .command('reprice')
    .description(
      'price every stored skill API call again with the current price table (shipped, with <data-dir>/model-prices.json over it) and rebuild the cost totals',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (opts: RepriceOpts, cmd: Command) => {
      const config = ctx.config(cmd);
      // A bad override file stops here, before the store is opened.
      const prices = loadPriceTable(config.dataDir);
      const app = await openTracker(config, { cacheMiB: 32 });
      try {
        const progress = lazyProgress('reprice (calls)', ctx.stderr);
        const result = await app.stores.skillCosts.reprice(prices, { onProgress: progress.update });
        progress.finish();
        if (opts.json) ctx.stdout.write(`${JSON.stringify({ priceVersion: prices.version, ...result })}\n`);
        else ctx.stdout.write(describe(result, prices.version));
      } finally {
        await app.close();
      }
    });
}
