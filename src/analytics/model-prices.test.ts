import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import shipped from './model-prices.json' with { type: 'json' };
import { callCost, mergePriceTables, priceFor, priceTableProblem, type PriceTable } from './model-prices.js';

const table: PriceTable = {
  version: 't1',
  source: 'test',
  models: {
    'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
    'claude-opus-4': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  },
};

describe('model prices', () => {
  it('matches an entry exactly or with a release date, nothing looser', () => {
    assert.equal(priceFor(table, 'claude-sonnet-4-5'), table.models['claude-sonnet-4-5']);
    assert.equal(priceFor(table, 'claude-sonnet-4-5-20250929'), table.models['claude-sonnet-4-5']);
    assert.equal(priceFor(table, 'claude-sonnet-4-5@20250929'), table.models['claude-sonnet-4-5']);
    assert.equal(priceFor(table, 'claude-opus-4-5-20251101'), null); // not Opus 4
    assert.equal(priceFor(table, 'claude-sonnet-4-5-2025'), null);
    assert.equal(priceFor(table, 'toString'), null);
    assert.equal(priceFor(table, null), null);
  });

  it('costs a call per token kind (hand-computed)', () => {
    // 1000 in × 3 + 200 out × 15 + 400 cache-write × 3.75 + 5000 cache-read × 0.3 = 3000 + 3000 + 1500 + 1500 = 9000 µ$ → 0.009 $
    assert.equal(callCost(table, 'claude-sonnet-4-5-20250929', { input: 1000, output: 200, cacheWrite: 400, cacheRead: 5000 }), 0.009);
    // 100 of the 400 written for an hour: 300 × 3.75 + 100 × 6 = 1125 + 600 = 1725 instead of 1500 → 0.009225 $
    assert.equal(callCost(table, 'claude-sonnet-4-5', { input: 1000, output: 200, cacheWrite: 400, cacheWrite1h: 100, cacheRead: 5000 }), 0.009225);
    // No 1-hour price: the 5-minute one. 2 × 18.75 = 37.5 µ$
    assert.equal(callCost(table, 'claude-opus-4', { input: 0, output: 0, cacheWrite: 2, cacheWrite1h: 2, cacheRead: 0 }), 0.0000375);
    assert.equal(callCost(table, 'gpt-unknown', { input: 1, output: 1, cacheWrite: 0, cacheRead: 0 }), null);
  });

  it('validates a price file, naming the field', () => {
    assert.equal(priceTableProblem(shipped, false), null);
    assert.equal(priceTableProblem({ models: {} }, true), null);
    assert.equal(priceTableProblem({ models: {} }, false), 'version: must be a non-empty string');
    assert.equal(priceTableProblem([], true), 'must be a JSON object');
    assert.equal(priceTableProblem({ models: [] }, true), 'models: must be an object of model id -> prices');
    assert.equal(
      priceTableProblem({ models: { m: { input: 1, output: 1, cacheWrite: 1, cacheRead: '0.1' } } }, true),
      'models.m.cacheRead: must be a number >= 0 (USD per million tokens)',
    );
    assert.equal(
      priceTableProblem({ models: { m: { input: 1, output: 1, cacheWrite: 1, cacheRead: 1, batch: 1 } } }, true),
      'models.m.batch: unknown price kind (known: input, output, cacheWrite, cacheRead, cacheWrite1h)',
    );
    // A misspelt kind is named, with the missing one it was meant to be (not "output: must be a number").
    assert.equal(
      priceTableProblem({ models: { m: { input: 1, outptu: 1, cacheWrite: 1, cacheRead: 1 } } }, true),
      "models.m.outptu: unknown price kind; did you mean 'output'? (known: input, output, cacheWrite, cacheRead, cacheWrite1h)",
    );
  });

  it('an override replaces and adds entries', () => {
    const merged = mergePriceTables(table, {
      version: 'mine',
      models: { 'claude-opus-4': { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 }, 'my-model': { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } },
    });
    assert.equal(merged.version, 't1+mine');
    assert.equal(callCost(merged, 'claude-opus-4', { input: 1_000_000, output: 0, cacheWrite: 0, cacheRead: 0 }), 1);
    assert.equal(callCost(merged, 'my-model', { input: 0, output: 2_000_000, cacheWrite: 0, cacheRead: 0 }), 2);
    assert.equal(callCost(merged, 'claude-sonnet-4-5', { input: 1_000_000, output: 0, cacheWrite: 0, cacheRead: 0 }), 3);
  });
});
