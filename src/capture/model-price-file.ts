/**
 * The price table costs are computed with: the shipped snapshot
 * (analytics/model-prices.json, never fetched at run time), with the models
 * of the user's override file `<data-dir>/model-prices.json` replacing or
 * adding entries. A malformed override is an error naming the file and the
 * field, never silently ignored.
 */
import fs from 'node:fs';
import path from 'node:path';
import shipped from '../analytics/model-prices.json' with { type: 'json' };
import { mergePriceTables, priceTableProblem, type ModelPrice, type PriceTable } from '../analytics/model-prices.js';
import { AppError } from '../errors.js';

export const PRICE_OVERRIDE_FILE = 'model-prices.json';

/** The shipped table alone. */
export function shippedPriceTable(): PriceTable {
  return shipped as PriceTable;
}

export function loadPriceTable(dataDir: string): PriceTable {
  const file = path.join(dataDir, PRICE_OVERRIDE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return shippedPriceTable();
    throw new AppError('INVALID_INPUT', `${file}: cannot be read (${(err as Error).message})`, { field: file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw AppError.invalid(file, `must be valid JSON (${(err as Error).message})`);
  }
  const problem = priceTableProblem(raw, true);
  if (problem) throw AppError.invalid(file, problem);
  return mergePriceTables(shippedPriceTable(), raw as Partial<PriceTable> & { models: Record<string, ModelPrice> });
}
