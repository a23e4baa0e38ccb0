import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/**
 * A regex JSON Schema cannot carry: the emoji check needs RegExp's `v` flag (Unicode sets), and
 * JSON Schema patterns are read with `u`. Such a pattern is left to a description instead.
 */
function portablePatterns(ctx: { jsonSchema: Record<string, unknown> }): void {
  const { pattern } = ctx.jsonSchema;
  if (typeof pattern !== 'string') return;
  try {
    new RegExp(pattern, 'u');
  } catch {
    delete ctx.jsonSchema.pattern;
    ctx.jsonSchema.description = `matches /${pattern}/v (Unicode sets)`;
  }
}

/**
 * The JSON Schemas of named zod schemas, each referring to the others by `uri(name)`. Input side:
 * what a request may send (defaults make a field optional, query numbers are strings).
 */
export function toComponents(
  named: Record<string, z.ZodType>,
  target: 'draft-2020-12' | 'draft-07',
  uri: (name: string) => string,
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target, io: 'input', uri, unrepresentable: 'any', override: portablePatterns });
  const out: Record<string, JsonSchema> = {};
  for (const [id, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as JsonSchema;
    out[id] = rest;
  }
  return out;
}
