/**
 * An upsert of many narrow rows with one statement call per ROWS rows
 * (`INSERT … VALUES (…), (…), … ON CONFLICT …`). SQLite applies the rows of
 * a VALUES list one after another, exactly as that many single-row calls
 * would, so the tables end up the same; what is saved is the cost of each
 * call (binding, stepping, resetting, the result object), which is most of
 * the cost of a row that only adds to a counter. The duration histograms
 * touch tens of thousands of such rows per import batch. (The insert into
 * skill_invocations, wide rows and three indexes, measured slower this way:
 * what the calls save, SQLite spent on more B-tree balancing.)
 */
import type { Statement } from 'better-sqlite3';
import type { SqliteDb } from '../database.js';

/** Rows per statement call: 32 to 128 measure the same. */
const ROWS = 64;

export class MultiRowUpsert {
  private readonly many: Statement;
  private readonly one: Statement;
  private readonly args: number[];
  private n = 0;

  /** `into`: `INSERT INTO table (columns)` of `width` columns; `conflict`: the `ON CONFLICT …` clause. */
  constructor(
    db: SqliteDb,
    into: string,
    private readonly width: number,
    conflict: string,
  ) {
    const row = `(${new Array(width).fill('?').join(', ')})`;
    this.many = db.prepare(`${into} VALUES ${new Array(ROWS).fill(row).join(', ')} ${conflict}`);
    this.one = db.prepare(`${into} VALUES ${row} ${conflict}`);
    this.args = new Array(ROWS * width);
  }

  /** Adds the next value of the current row; a full set of rows is written at once. */
  put(value: number): void {
    this.args[this.n++] = value;
    if (this.n === this.args.length) {
      this.n = 0; // first: a failed write leaves nothing held for the next batch
      // Spread: better-sqlite3 binds an array argument through the V8 API, element by element, at a cost.
      this.many.run(...this.args);
    }
  }

  /** Writes the rows still held, one call each; call once every row has been put. */
  finish(): void {
    const n = this.n;
    this.n = 0;
    for (let i = 0; i < n; i += this.width) this.one.run(...this.args.slice(i, i + this.width));
  }
}
