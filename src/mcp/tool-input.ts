/**
 * Tool arguments against a tool's input schema: the one validation every
 * call goes through (the SDK's own is bypassed, see define-tool.ts), and the
 * JSON Schemas advertised in tools/list.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { closestName } from '../suggest.js';
import { parseInput } from '../validation.js';

/**
 * Parses `args` against the tool's (strict) input object. Rejects, in this order and
 * each as INVALID_INPUT naming the field and the rule: arguments that are not
 * a JSON object; unknown arguments (naming the closest accepted one, if any);
 * then the first field that breaks its schema. Absent arguments are `{}`.
 */
export function parseToolArguments<In extends z.ZodRawShape>(schema: z.ZodObject<In>, raw: unknown): z.output<z.ZodObject<In>> {
  const shape = schema.shape;
  const args = raw ?? {};
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw AppError.invalid('arguments', `must be a JSON object of named arguments, not ${Array.isArray(args) ? 'an array' : typeof args}`);
  }
  const accepted = Object.keys(shape);
  for (const key of Object.keys(args)) {
    if (Object.hasOwn(shape, key)) continue;
    const meant = closestName(key, accepted);
    const list = accepted.length === 0 ? 'this tool takes no arguments' : `accepted: ${accepted.join(', ')}`;
    throw AppError.invalid(key, `unknown argument${meant ? `; did you mean '${meant}'?` : ''} (${list})`, meant ? { did_you_mean: meant } : {});
  }
  return parseInput(schema, args);
}

export type JsonSchema = Record<string, unknown>;

/**
 * The Draft-07 JSON Schemas of a tool: input as a caller may send it (no
 * unknown properties), output as the tool produces it.
 */
export function toolJsonSchemas(input: z.ZodObject, output: z.ZodObject): { inputSchema: JsonSchema; outputSchema: JsonSchema } {
  return {
    inputSchema: z.toJSONSchema(input, { target: 'draft-7', io: 'input' }) as JsonSchema,
    outputSchema: z.toJSONSchema(output, { target: 'draft-7', io: 'output' }) as JsonSchema,
  };
}
