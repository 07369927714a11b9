/**
 * Token estimate for short English prose such as a skill's description:
 * one token per 4 characters, rounded up, counted in Unicode code points
 * after runs of whitespace are collapsed to one space and the ends trimmed
 * (the rule of thumb Anthropic and OpenAI document for English text:
 * about 4 characters per token). Empty text is 0 tokens. It is an estimate,
 * not a tokenizer: code, non-Latin scripts and long numbers take more tokens
 * per character, so treat figures as ±25 %.
 */
const CHARS_PER_TOKEN = 4;

export const TOKEN_ESTIMATOR = `ceil(characters / ${CHARS_PER_TOKEN}) of the always-loaded text, whitespace runs collapsed (about 4 characters per English token)`;

export function estimateTokens(text: string): number {
  const normalised = text.replace(/\s+/gu, ' ').trim();
  if (normalised === '') return 0;
  return Math.ceil([...normalised].length / CHARS_PER_TOKEN);
}
