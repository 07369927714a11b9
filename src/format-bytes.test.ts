import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes } from './format-bytes.js';

describe('formatBytes', () => {
  it('uses binary units with one decimal (two for GiB)', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
    assert.equal(formatBytes(10 * 1024 * 1024), '10.0 MiB');
    assert.equal(formatBytes(2.25 * 1024 ** 3), '2.25 GiB');
  });
});
