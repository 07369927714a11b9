/**
 * Bounds the cardinality of a Prometheus label whose values are user data
 * (skill names). At most `max` distinct values keep their own label value;
 * every further value is reported as OTHER_LABEL. A value gets its name when it
 * is claimed (`map`) while there is room, and keeps it for the life of the
 * object: a series once exported under a name never moves to OTHER_LABEL, so no
 * counter jumps or disappears within a process's life. `lookup` reads the
 * label without claiming one, for values that must not take a name (history).
 * Which values claim, and in what order, is the caller's rule (see
 * MetricsExporter).
 */
export const OTHER_LABEL = '__other__';

export class LabelCap {
  private readonly known = new Set<string>();

  constructor(readonly max: number) {}

  /** The label value to use for `value`, claiming a name for it if there is room. */
  map(value: string): string {
    if (this.known.has(value)) return value;
    if (this.known.size >= this.max) return OTHER_LABEL;
    this.known.add(value);
    return value;
  }

  /** The label value `value` has now, never claiming one. */
  lookup(value: string): string {
    return this.known.has(value) ? value : OTHER_LABEL;
  }

  has(value: string): boolean {
    return this.known.has(value);
  }

  get size(): number {
    return this.known.size;
  }
}
