/**
 * The two per-skill metric families, kept and rendered in the Prometheus
 * text format by purpose-built code rather than prom-client's generic
 * formatter: with 60 skills x 5 phases (about 1,600 sample lines) prom-client
 * needs several milliseconds and a lot of garbage per scrape, while here each
 * series keeps its escaped label text, computed once when the series appears,
 * and a scrape only joins numbers onto it. Values and format are the same as
 * prom-client's Counter and Histogram.
 */

/** Label value escaping of the text format: backslash, double quote, newline. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function formatNumber(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

/**
 * skill_invocations_total{skill_name, workflow_phase, completed}. A series
 * exports the larger of what was counted (`inc`) and the last total read from
 * the store (`raiseTo`), so rows another process wrote show up without ever
 * counting a row twice or letting the value go down.
 */
export class InvocationCounter {
  readonly name = 'skill_invocations_total';
  private readonly series = new Map<string, { head: string; value: number; floor: number }>();

  constructor(private readonly help: string) {}

  inc(skill: string, phase: string, completed: boolean, n = 1): void {
    this.get(skill, phase, completed).value += n;
  }

  /** The store holds `total` for this series: export at least that. */
  raiseTo(skill: string, phase: string, completed: boolean, total: number): void {
    const s = this.get(skill, phase, completed);
    if (total > s.floor) s.floor = total;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const s of this.series.values()) out += `${s.head}${formatNumber(Math.max(s.value, s.floor))}\n`;
    return out;
  }

  private get(skill: string, phase: string, completed: boolean) {
    const key = `${skill}\u0000${phase}\u0000${completed}`;
    let s = this.series.get(key);
    if (!s) {
      s = {
        head: `${this.name}{skill_name="${escapeLabelValue(skill)}",workflow_phase="${escapeLabelValue(phase)}",completed="${completed}"} `,
        value: 0,
        floor: 0,
      };
      this.series.set(key, s);
    }
    return s;
  }
}

interface HistogramSeries {
  /** Rendered `skill_name="..."`. */
  label: string;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** skill_duration_seconds{skill_name} histogram. */
export class DurationHistogram {
  readonly name = 'skill_duration_seconds';
  private readonly series = new Map<string, HistogramSeries>();
  private readonly leLabels: string[];

  constructor(
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.leLabels = [...buckets.map((b) => formatNumber(b)), '+Inf'];
  }

  observe(skill: string, seconds: number): void {
    let s = this.series.get(skill);
    if (!s) {
      s = { label: `skill_name="${escapeLabelValue(skill)}"`, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      this.series.set(skill, s);
    }
    let i = 0;
    while (i < this.buckets.length && seconds > this.buckets[i]!) i++;
    s.counts[i]!++;
    s.sum += seconds;
    s.count++;
  }

  render(): string {
    const n = this.name;
    let out = `# HELP ${n} ${this.help}\n# TYPE ${n} histogram\n`;
    for (const s of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.leLabels.length; i++) {
        cumulative += s.counts[i]!;
        out += `${n}_bucket{${s.label},le="${this.leLabels[i]}"} ${cumulative}\n`;
      }
      out += `${n}_sum{${s.label}} ${formatNumber(s.sum)}\n${n}_count{${s.label}} ${s.count}\n`;
    }
    return out;
  }
}
