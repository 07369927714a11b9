/**
 * Bounds the cardinality of a Prometheus label whose values are user data
 * (skill names). The first `max` distinct values keep their own label value;
 * every further value is reported as OTHER_LABEL. Which values keep their name
 * is decided in order of first appearance in this process (the exporter feeds
 * the all-time totals, most used first, at start-up), so after a restart a
 * skill that was counted as "__other__" may get its own series, and the
 * "__other__" series may then start lower: Prometheus treats that as a
 * counter reset.
 */
const OTHER_LABEL = '__other__';

export class LabelCap {
  private readonly known = new Set<string>();

  constructor(readonly max: number) {}

  /** The label value to use for `value`. */
  map(value: string): string {
    if (this.known.has(value)) return value;
    if (this.known.size >= this.max) return OTHER_LABEL;
    this.known.add(value);
    return value;
  }

  get size(): number {
    return this.known.size;
  }
}
