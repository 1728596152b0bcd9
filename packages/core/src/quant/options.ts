import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { QuantforgeError } from '../errors/error.js';

/** One schema violation: a JSON pointer into the value (`''` for the root) and what is wrong there. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/**
 * Every violation of `schema` by `value` (TypeBox `Value.Errors`), in TypeBox's order; empty when the value fits.
 *
 * @example
 * ```ts
 * schemaProblems(Type.Object({ bits: Type.Integer() }), { bits: 'x' }); // [{ path: '/bits', message: 'Expected integer' }]
 * ```
 */
export function schemaProblems(schema: TSchema, value: unknown): SchemaProblem[] {
  if (Value.Check(schema, value)) return [];
  const problems: SchemaProblem[] = [];
  collect(schema, value, '', problems);
  return problems;
}

/**
 * The union member a value means by its discriminator: the member whose literal-valued properties (`kind`,
 * `observer`, …) all equal the value's. Reporting that member's errors beats TypeBox's "Expected union value".
 */
function discriminatedMember(schema: TSchema, value: unknown): TSchema | undefined {
  if ((schema as { anyOf?: TSchema[] }).anyOf === undefined || value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  // Nested unions (`Union([Union([...]), Null])`) are flattened so the discriminated object is found at any depth.
  const flat = (m: TSchema): TSchema[] => {
    const inner = (m as { anyOf?: TSchema[] }).anyOf;
    return inner === undefined ? [m] : inner.flatMap(flat);
  };
  return flat(schema).find((m) => {
    const props = (m as { properties?: Record<string, { const?: unknown }> }).properties;
    if (props === undefined) return false;
    const literals = Object.entries(props).filter(([, p]) => p.const !== undefined);
    return literals.length > 0 && literals.every(([k, p]) => v[k] === p.const);
  });
}

function collect(schema: TSchema, value: unknown, prefix: string, out: SchemaProblem[]): void {
  for (const e of Value.Errors(schema, value)) {
    const member = discriminatedMember(e.schema, e.value);
    if (member !== undefined && member !== schema) collect(member, e.value, prefix + e.path, out);
    else out.push({ path: prefix + e.path, message: e.message });
  }
}

function describe(problems: SchemaProblem[]): string {
  return problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.message}`).join('; ');
}

/**
 * Checks `value` against a TypeBox schema and returns it typed; otherwise throws `QF_OPTIONS_INVALID` whose message
 * and `details.problems` list every problem with its JSON path. `owner` names whose options these are (a scheme, an
 * observer) for the message.
 *
 * @example
 * ```ts
 * const opts = validateOptions(Type.Object({ bits: Type.Integer({ minimum: 2 }) }), { bits: 8 }, 'uniform');
 * ```
 */
export function validateOptions<S extends TSchema>(schema: S, value: unknown, owner = 'options'): Static<S> {
  const problems = schemaProblems(schema, value);
  if (problems.length > 0) {
    throw new QuantforgeError('QF_OPTIONS_INVALID', `invalid ${owner}: ${describe(problems)}`, {
      details: { owner, problems },
      hint: 'Fix the listed fields; the JSON Schema of the options shows what is allowed',
    });
  }
  return value as Static<S>;
}

/**
 * Like {@link validateOptions} but throws `code` (not `QF_OPTIONS_INVALID`), for data that must match a schema such as
 * saved encodings or plans.
 *
 * @example
 * ```ts
 * const plan = assertSchema(QuantPlanSchema, json, 'QF_PIPELINE_INVALID', 'quantization plan');
 * ```
 */
export function assertSchema<S extends TSchema>(schema: S, value: unknown, code: string, what: string): Static<S> {
  const problems = schemaProblems(schema, value);
  if (problems.length > 0) {
    throw new QuantforgeError(code, `invalid ${what}: ${describe(problems)}`, { details: { problems } });
  }
  return value as Static<S>;
}
