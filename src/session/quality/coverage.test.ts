import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCoverage } from './coverage.js';

describe('parseCoverage', () => {
  it('istanbul json-summary: total.lines.pct', () => {
    assert.deepEqual(parseCoverage('coverage/coverage-summary.json', '{"total":{"lines":{"pct":72.5}}}'), { value: 72.5 });
  });
  it('lcov: Σ LH / Σ LF', () => {
    // (8 + 1) / (10 + 2) = 0.75
    const lcov = 'SF:a.ts\nLF:10\nLH:8\nend_of_record\nSF:b.ts\nLF:2\nLH:1\nend_of_record\n';
    assert.deepEqual(parseCoverage('coverage/lcov.info', lcov), { value: 75 });
  });
  it('coverage.py json: totals.percent_covered', () => {
    assert.deepEqual(parseCoverage('coverage.json', '{"totals":{"percent_covered":64.0}}'), { value: 64 });
  });
  it('cobertura: line-rate × 100', () => {
    assert.deepEqual(parseCoverage('coverage.xml', '<?xml version="1.0"?><coverage line-rate="0.5" branch-rate="0">'), { value: 50 });
  });
  it('unreadable reports give null', () => {
    assert.equal(parseCoverage('coverage.json', 'not json'), null);
    assert.equal(parseCoverage('lcov.info', 'TN:\n'), null);
  });
});
