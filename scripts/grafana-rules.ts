/**
 * Turns every PromQL query of the Grafana dashboard into a recording rule, with
 * the dashboard variables replaced by sample values, and prints the rule file:
 * `node --import tsx scripts/grafana-rules.ts > x.yml && promtool check rules x.yml`
 * then proves that each query parses.
 */
import fs from 'node:fs';

interface Target {
  expr?: string;
  refId?: string;
}
interface Panel {
  id: number;
  title?: string;
  targets?: Target[];
  panels?: Panel[];
}

const file = process.argv[2] ?? new URL('../deploy/grafana/session-buddy.json', import.meta.url);
const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as { panels: Panel[] };

/** Sample values for Grafana's built-in and the dashboard's own variables. */
const VARIABLES: [RegExp, string][] = [
  [/\$__rate_interval\b/g, '1m'],
  [/\$__interval\b/g, '30s'],
  [/\$__range\b/g, '6h'],
  [/\$job\b/g, 'session-buddy'],
  [/\$skill\b/g, '.*'],
];

const lines = ['groups:', '  - name: grafana-dashboard-queries', '    rules:'];
let count = 0;
const walk = (panels: Panel[]) => {
  for (const p of panels) {
    for (const t of p.targets ?? []) {
      if (!t.expr) continue;
      let expr = t.expr;
      for (const [re, value] of VARIABLES) expr = expr.replace(re, value);
      if (expr.includes('$')) throw new Error(`panel ${p.id} (${p.title}): unknown variable in ${t.expr}`);
      lines.push(`      - record: grafana:panel_${p.id}_${t.refId ?? 'A'}`, `        expr: ${JSON.stringify(expr)}`);
      count++;
    }
    if (p.panels) walk(p.panels);
  }
};
walk(dashboard.panels);
if (count === 0) throw new Error('the dashboard has no queries');
process.stdout.write(`${lines.join('\n')}\n`);
