import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { callCost } from '../analytics/model-prices.js';
import { loadPriceTable, PRICE_OVERRIDE_FILE, shippedPriceTable } from './model-price-file.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-prices-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const dir = (name: string, text?: string) => {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  if (text !== undefined) fs.writeFileSync(path.join(d, PRICE_OVERRIDE_FILE), text);
  return d;
};
const M = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };

describe('price table file', () => {
  it('is the shipped table without an override', () => {
    const t = loadPriceTable(dir('none'));
    assert.equal(t, shippedPriceTable());
    // Sonnet 4.5 as published: 3 $ input, 15 $ output per million.
    assert.equal(callCost(t, 'claude-sonnet-4-5-20250929', { input: 1_000_000, output: 1_000_000, cacheWrite: 0, cacheRead: 0 }), 18);
  });

  it('an override replaces and adds models', () => {
    const t = loadPriceTable(
      dir('ok', JSON.stringify({ version: 'team-2026', models: { 'claude-sonnet-4-5': { ...M, input: 2 }, 'in-house': { ...M, output: 1 } } })),
    );
    assert.match(t.version, /\+team-2026$/);
    assert.equal(callCost(t, 'claude-sonnet-4-5', { ...M, input: 1_000_000 }), 2);
    assert.equal(callCost(t, 'in-house', { ...M, output: 3_000_000 }), 3);
    assert.equal(callCost(t, 'claude-haiku-4-5', { ...M, input: 1_000_000 }), 1);
  });

  it('a malformed override is an error naming the file and the field', () => {
    assert.throws(() => loadPriceTable(dir('bad-json', '{ nope')), { code: 'INVALID_INPUT', message: /model-prices\.json: must be valid JSON/ });
    assert.throws(() => loadPriceTable(dir('bad-field', JSON.stringify({ models: { x: { ...M, output: -1 } } }))), {
      code: 'INVALID_INPUT',
      message: /model-prices\.json: models\.x\.output: must be a number >= 0/,
    });
  });
});
