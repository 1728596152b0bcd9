import type { TargetProfile } from './profile.js';

const DTYPES = new Set(['int4', 'int8', 'int16', 'int32', 'int64']);
const GRANULARITIES = new Set(['per-tensor', 'per-channel', 'per-group']);

const positiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

/**
 * Problems of a target profile as messages (empty when it is valid): names, features, example part sizes, rounding,
 * and every op's kernel, dtypes, granularities, fixed output and code size.
 *
 * @example
 * ```ts
 * const problems = validateProfile(profile);
 * if (problems.length > 0) throw new Error(problems.join('; '));
 * ```
 */
export function validateProfile(profile: TargetProfile): string[] {
  const p: string[] = [];
  if (typeof profile !== 'object' || profile === null) return ['profile must be an object'];
  if (typeof profile.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(profile.name)) p.push(`name must be a lower-case name (got ${String(profile.name)})`);
  if (typeof profile.backend !== 'string' || profile.backend === '') p.push('backend must be a non-empty string');
  if (typeof profile.cpu !== 'string' || profile.cpu === '') p.push('cpu must be a non-empty string');
  const f = profile.features;
  if (typeof f !== 'object' || f === null || typeof f.dsp !== 'boolean' || typeof f.mve !== 'boolean' || typeof f.fpu !== 'boolean') {
    p.push('features must be { dsp, mve, fpu } booleans');
  } else if (f.mve && !f.dsp) p.push('features.mve implies features.dsp');
  const part = profile.examplePart;
  if (typeof part?.name !== 'string' || part.name === '') p.push('examplePart.name must be a non-empty string');
  if (!positiveInt(part?.flashBytes)) p.push('examplePart.flashBytes must be a positive integer');
  if (!positiveInt(part?.ramBytes)) p.push('examplePart.ramBytes must be a positive integer');
  if (profile.rounding !== 'double' && profile.rounding !== 'single') p.push(`rounding must be "double" or "single" (got ${String(profile.rounding)})`);
  if (typeof profile.int16x8 !== 'boolean') p.push('int16x8 must be a boolean');
  const ops = profile.ops;
  if (typeof ops !== 'object' || ops === null || Object.keys(ops).length === 0) {
    p.push('ops must list at least one target op');
    return p;
  }
  for (const [name, op] of Object.entries(ops)) {
    const at = `ops.${name}`;
    if (typeof op.kernel !== 'string' || op.kernel === '') p.push(`${at}.kernel must be a non-empty string`);
    if (!Array.isArray(op.onnx) || op.onnx.length === 0) p.push(`${at}.onnx must list the ONNX op types it implements`);
    if (!Array.isArray(op.activations) || op.activations.length === 0 || op.activations.some((d) => !DTYPES.has(d))) p.push(`${at}.activations must list int dtypes`);
    if (op.weights !== undefined) {
      if (op.weights.dtypes.length === 0 || op.weights.dtypes.some((d) => !DTYPES.has(d))) p.push(`${at}.weights.dtypes must list int dtypes`);
      if (op.weights.granularity.length === 0 || op.weights.granularity.some((g) => !GRANULARITIES.has(g))) p.push(`${at}.weights.granularity must list granularities`);
    }
    if (op.fixedOutput !== undefined && !(op.fixedOutput.scale > 0 && Number.isInteger(op.fixedOutput.zeroPoint))) {
      p.push(`${at}.fixedOutput needs a positive scale and an integer zero point`);
    }
    if (!(typeof op.codeBytes === 'number' && Number.isInteger(op.codeBytes) && op.codeBytes >= 0)) p.push(`${at}.codeBytes must be a non-negative integer`);
  }
  return p;
}
