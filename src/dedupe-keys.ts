/**
 * The dedupe key of a typed skill activation (the user typed `/name`):
 * `cc-typed:<session_id>:<skill_name>:<n>`, the same from the hook, the
 * transcript import and OTLP (capture/tool-mapping.ts typedDedupeKeyFor).
 * The store reads the prefix back where a row's trigger was not kept
 * (archive files written before they held activation_trigger).
 */
export const TYPED_DEDUPE_KEY_PREFIX = 'cc-typed:';

/** Whether `key` is a typed activation's dedupe key. */
export function isTypedDedupeKey(key: string | null | undefined): boolean {
  return key?.startsWith(TYPED_DEDUPE_KEY_PREFIX) === true;
}
