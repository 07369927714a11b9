/**
 * Assigns a skill to one of the six categories and four modalities of the
 * taxonomy from its name, by keyword. Unknown skills stay uncategorised
 * (null) rather than being forced into a bucket.
 */
const CATEGORIES = ['code_quality', 'testing', 'documentation', 'deployment', 'security', 'performance'] as const;
const MODALITIES = ['code', 'diagnostics', 'test_results', 'documents'] as const;
export type Category = (typeof CATEGORIES)[number];
export type Modality = (typeof MODALITIES)[number];

const CATEGORY_RULES: [RegExp, Category][] = [
  [/secur|secret|vuln|audit|cve|sast|auth/, 'security'],
  [/test|pytest|jest|vitest|spec|coverage|tdd/, 'testing'],
  [/perf|bench|profil|optimi[sz]|latency|memory/, 'performance'],
  [/deploy|release|docker|k8s|kube|helm|terraform|ci|build|publish|rollout/, 'deployment'],
  [/doc|readme|changelog|comment|explain|adr|notes/, 'documentation'],
  [/lint|format|refactor|review|quality|clean|type-?check|eslint|ruff|prettier|edit|write/, 'code_quality'],
];

const MODALITY_RULES: [RegExp, Modality][] = [
  [/test|pytest|jest|vitest|spec|coverage/, 'test_results'],
  [/log|debug|diagnos|trace|error|profil|monitor|bench|audit|scan/, 'diagnostics'],
  [/doc|readme|changelog|notes|adr|explain|release-notes/, 'documents'],
];

export function classifySkill(name: string): { category: Category | null; modality: Modality | null } {
  const n = name.toLowerCase();
  const category = CATEGORY_RULES.find(([re]) => re.test(n))?.[1] ?? null;
  let modality = MODALITY_RULES.find(([re]) => re.test(n))?.[1] ?? null;
  if (modality === null && category !== null) modality = 'code';
  return { category, modality };
}

export const WORKFLOW_PHASES = ['planning', 'implementation', 'testing', 'review', 'deployment', 'debugging', 'documentation', 'unknown'] as const;
export type WorkflowPhase = (typeof WORKFLOW_PHASES)[number];
