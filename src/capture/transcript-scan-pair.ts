/**
 * A whole file's read in one step: scan (transcript-scan.ts), pair
 * (transcript-pairing.ts), attribute costs (skill-attribution.ts) and
 * fingerprint for the cursor (transcript-import-cursor.ts). Used for files
 * whose new bytes fit in one range, which is most files: the scan worker
 * then sends back the file's invocations, cost rows and cursor state instead
 * of every event, and the importing thread only writes. A file read in
 * several ranges is paired by the importing thread, in range order.
 */
import type { PriceTable } from '../analytics/model-prices.js';
import type { AttributedUsage } from '../store/skill-cost-types.js';
import { type AttributionCounts, type AttributorState, SkillAttributor } from './skill-attribution.js';
import { type Fingerprint, fingerprint } from './transcript-import-cursor.js';
import { type PairerState, TranscriptPairer } from './transcript-pairing.js';
import { type ScanBuffer, type ScanRequest, type ScanResult, scanRange } from './transcript-scan.js';
import type { CapturedInvocation } from './types.js';

/** A file's cursor state: the pairer's, and the skill attributor's when costs were read. */
export type ImportState = PairerState & { costs?: AttributorState };

/** What a file's read in one step needs besides the scan request. */
export interface PairRequest {
  userId: string;
  /** The file will not grow any more (TranscriptPairer.finish). */
  settled: boolean;
  /** Where the last import of the file stopped (offset of `start`). */
  from: number;
  /** The pairing state the last import left, when the file is read from its cursor. */
  state?: ImportState;
  /** Attribute tokens and cost to skills (skill-attribution.ts). */
  costs?: { prices: PriceTable; userHash: string };
  /** Fingerprint the file for its cursor. */
  fingerprint: boolean;
}

/** The outcome of a file read in one step. */
interface PairedFile {
  invocations: CapturedInvocation[];
  /** Calls without a result yet (not recorded). */
  pending: number;
  costRows: AttributedUsage[];
  /** Attribution counts of this file (AttributionCounts, models as a list). */
  counts: { calls: number; noUsage: number; unpriced: number; unknownModels: string[] };
  /** Offset just past the last line consumed (the cursor's offset). */
  offset: number;
  fingerprint: Fingerprint | null;
  /** The cursor state (JSON of ImportState). */
  state: string;
}

export type PairedScanResult = ScanResult & { paired: PairedFile };

/** Scans `req` (a file's whole read) and pairs it; the result's `events` are consumed (empty). */
export function scanAndPair(req: ScanRequest, pair: PairRequest, scratch: ScanBuffer): PairedScanResult {
  const r = scanRange(req, scratch);
  const pairer = new TranscriptPairer(pair.userId, req.fallbackSessionId, pair.state);
  const counts: AttributionCounts = { calls: 0, noUsage: 0, unpriced: 0, unknownModels: new Set() };
  const attributor = pair.costs ? new SkillAttributor(pair.costs.userHash, pair.costs.prices, counts, pair.state?.costs) : null;
  const costRows: AttributedUsage[] = [];
  for (const e of r.events) {
    pairer.addEvent(e);
    attributor?.add(e, costRows);
  }
  r.events = [];
  const { invocations, pending } = pairer.finish(pair.settled);
  const offset = Math.max(pair.from, r.consumedEnd);
  return {
    ...r,
    paired: {
      invocations,
      pending,
      costRows,
      counts: { calls: counts.calls, noUsage: counts.noUsage, unpriced: counts.unpriced, unknownModels: [...counts.unknownModels] },
      offset,
      fingerprint: pair.fingerprint ? fingerprint(req.path, offset, scratch.take(FINGERPRINT_BUFFER_BYTES)) : null,
      state: JSON.stringify(attributor ? { ...pairer.state(), costs: attributor.state() } : pairer.state()),
    },
  };
}

const FINGERPRINT_BUFFER_BYTES = 64 * 1024;
