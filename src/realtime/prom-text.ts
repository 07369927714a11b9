/**
 * A small reader for the Prometheus text exposition format, enough to check
 * our own /metrics output in tests and benchmarks: sample lines become
 * `name{label="value",...}` keys (labels sorted by name) mapped to numbers.
 */
export type PromSamples = Map<string, number>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePromText(text: string): PromSamples {
  const out: PromSamples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: [string, string][] = [];
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels.push([l[1]!, unescapeValue(l[2]!)]);
    out.set(sampleKey(m[1]!, Object.fromEntries(labels)), parseValue(m[3]!));
  }
  return out;
}

/** The key of a sample: labels in name order, values unescaped. */
export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

function parseValue(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}
