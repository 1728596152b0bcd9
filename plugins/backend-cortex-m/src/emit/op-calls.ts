import { QuantforgeError, type Program, type ProgramOp, type ProgramTensor } from '@quantforge/core';
import { cComment, cInt, cList } from './c-text.js';
import { constantSymbol } from './weights-c.js';

/** One op as C: its `static const` parameter definitions and its call in `model_run`. */
export interface OpCode {
  defs: string;
  call: string;
}

function bad(op: ProgramOp, message: string, details: Record<string, unknown> = {}): QuantforgeError {
  return new QuantforgeError('QF_INVALID_ARGUMENT', `op ${op.node} (${op.targetOp}): ${message}`, { details: { node: op.node, targetOp: op.targetOp, ...details } });
}

function num(op: ProgramOp, key: string): number {
  const v = op.params[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(op, `parameter ${key} must be an integer (got ${JSON.stringify(v)})`, { key });
  return v;
}

function ints(op: ProgramOp, key: string): number[] {
  const v = op.params[key];
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x))) throw bad(op, `parameter ${key} must be an integer array`, { key });
  return v;
}

function dims4(op: ProgramOp, key: string): string {
  const d = ints(op, key);
  const [n = 1, h = 1, w = 1, c = 1] = d.length === 2 ? [d[0]!, 1, 1, d[1]!] : d;
  return `{ ${n}, ${h}, ${w}, ${c} }`;
}

function storage(program: Program, id: number): ProgramTensor {
  const t = program.tensors[id];
  if (t === undefined) throw new QuantforgeError('QF_INVALID_ARGUMENT', `the program has no tensor ${id}`, { details: { tensor: id } });
  return t;
}

/** The C expression of a tensor's storage: an arena offset or a constant's symbol. */
export function tensorRef(program: Program, id: number): string {
  const t = storage(program, id);
  return t.placement === 'arena' ? `(ARENA + ${t.offset})` : constantSymbol(t);
}

/** True when an op writes int16 (an int16x8 program): it calls the `_s16` kernel. */
function wide(program: Program, op: ProgramOp): boolean {
  return storage(program, op.outputs[0]!).dtype === 'int16';
}

/** A tensor reference typed for an int16 kernel argument (arena bytes reinterpreted; offsets are 16-byte aligned). */
function ref16(program: Program, id: number, input: boolean): string {
  const t = storage(program, id);
  if (t.dtype !== 'int16') return tensorRef(program, id);
  return `(${input ? 'const ' : ''}int16_t *)${tensorRef(program, id)}`;
}

function bytesOf(program: Program, id: number): number {
  return storage(program, id).bytes;
}

function clampFields(op: ProgramOp): string {
  return `${num(op, 'activationMin')}, ${num(op, 'activationMax')}`;
}

function channelArrays(program: Program, op: ProgramOp, i: number, rounding: 'double' | 'single'): { defs: string; refs: string; count: number } {
  const m = ints(op, 'multipliers');
  const s = ints(op, 'shifts');
  if (m.length === 0 || m.length !== s.length) throw bad(op, 'multipliers and shifts must be non-empty and of equal length');
  checkMultipliers(op, m, s, rounding);
  // The int64 requantization of the int16 kernels (qf_mbqm64) is defined for shifts below 8 only.
  if (wide(program, op) && s.some((x) => x > 7)) throw bad(op, 'int16x8 requantization needs shifts ≤ 7', { shifts: s });
  return {
    defs: `static const int32_t op${i}_multipliers[${m.length}] = {\n${cList(m, 8)}\n};\nstatic const int32_t op${i}_shifts[${s.length}] = {\n${cList(s, 16)}\n};\n`,
    refs: `op${i}_multipliers, op${i}_shifts`,
    count: m.length,
  };
}

/** The requantization domains the C `qf_mbqm` handles in each build (TFLite's DCHECKs). */
function checkMultipliers(op: ProgramOp, m: readonly number[], s: readonly number[], rounding: 'double' | 'single'): void {
  for (let c = 0; c < m.length; c++) {
    const okM = rounding === 'single' ? m[c]! >= 0 && m[c]! <= 2147483647 : m[c]! >= -2147483648 && m[c]! <= 2147483647;
    const okS = s[c]! >= -31 && s[c]! <= (rounding === 'single' ? 30 : 31);
    if (!okM || !okS) {
      throw new QuantforgeError('QF_TARGET_CONSTRAINT', `op ${op.node}: (multiplier ${m[c]}, shift ${s[c]}) is outside the ${rounding}-rounding requantization domain`, {
        details: { node: op.node, channel: c, multiplier: m[c], shift: s[c], rounding },
        hint: rounding === 'single' ? 'Lower the program with a single-rounding profile, or emit with rounding: "double".' : undefined,
      });
    }
  }
}

function conv(program: Program, op: ProgramOp, i: number, rounding: 'double' | 'single'): OpCode {
  const [x, w, b] = op.inputs as [number, number, number | undefined];
  const ch = channelArrays(program, op, i, rounding);
  const depthwise = op.targetOp === 'depthwise-conv2d';
  const params = [
    dims4(op, 'inputDims'), dims4(op, 'filterDims'), dims4(op, 'outputDims'), `${num(op, 'inputOffset')}, ${num(op, 'outputOffset')}`,
    `${num(op, 'strideH')}, ${num(op, 'strideW')}, ${num(op, 'padH')}, ${num(op, 'padW')}, ${num(op, 'dilationH')}, ${num(op, 'dilationW')}`,
    clampFields(op), ch.refs,
  ];
  const s16 = wide(program, op);
  const fn = `${depthwise ? 'qf_depthwise_conv' : 'qf_conv'}_${s16 ? 's16' : 's8'}`;
  const bias = b === undefined ? 'NULL' : tensorRef(program, b);
  return {
    defs: `${ch.defs}static const qf_conv_params op${i} = {\n    ${params.join(',\n    ')}\n};\n`,
    call: `${fn}(&op${i}, ${ref16(program, x, true)}, ${tensorRef(program, w)}, ${bias}, ${ref16(program, op.outputs[0]!, false)});`,
  };
}

function dense(program: Program, op: ProgramOp, i: number, rounding: 'double' | 'single'): OpCode {
  const [x, w, b] = op.inputs as [number, number, number | undefined];
  const ch = channelArrays(program, op, i, rounding);
  const params = [
    `${num(op, 'batches')}, ${num(op, 'accumDepth')}, ${num(op, 'outputDepth')}`,
    `${num(op, 'inputOffset')}, ${num(op, 'filterOffset')}, ${num(op, 'outputOffset')}`, clampFields(op), String(ch.count), ch.refs,
  ];
  const bias = b === undefined ? 'NULL' : tensorRef(program, b);
  return {
    defs: `${ch.defs}static const qf_fc_params op${i} = {\n    ${params.join(',\n    ')}\n};\n`,
    call: `qf_fully_connected_${wide(program, op) ? 's16' : 's8'}(&op${i}, ${ref16(program, x, true)}, ${tensorRef(program, w)}, ${bias}, ${ref16(program, op.outputs[0]!, false)});`,
  };
}

/** Average pooling divides by the number of in-image taps: a window entirely in the padding has none. */
function checkPoolWindows(op: ProgramOp): void {
  const [, inH = 1, inW = 1] = ints(op, 'inputDims');
  const [, outH = 1, outW = 1] = ints(op, 'outputDims');
  const covered = (out: number, stride: number, pad: number, filter: number, size: number): boolean => {
    for (let o = 0; o < out; o++) {
      const start = o * stride - pad;
      if (Math.min(size, start + filter) <= Math.max(0, start)) return false;
    }
    return true;
  };
  if (!covered(outH, num(op, 'strideH'), num(op, 'padH'), num(op, 'filterH'), inH) || !covered(outW, num(op, 'strideW'), num(op, 'padW'), num(op, 'filterW'), inW)) {
    throw new QuantforgeError('QF_TARGET_CONSTRAINT', `op ${op.node}: an average-pool window covers no input pixel (padding larger than the window)`, { details: { node: op.node } });
  }
}

function pool(program: Program, op: ProgramOp, i: number): OpCode {
  if (op.targetOp === 'avg-pool') checkPoolWindows(op);
  const params = [
    dims4(op, 'inputDims'), dims4(op, 'outputDims'),
    `${num(op, 'filterH')}, ${num(op, 'filterW')}, ${num(op, 'strideH')}, ${num(op, 'strideW')}, ${num(op, 'padH')}, ${num(op, 'padW')}`, clampFields(op),
  ];
  const fn = `${op.targetOp === 'avg-pool' ? 'qf_avg_pool' : 'qf_max_pool'}_${wide(program, op) ? 's16' : 's8'}`;
  return {
    defs: `static const qf_pool_params op${i} = {\n    ${params.join(',\n    ')}\n};\n`,
    call: `${fn}(&op${i}, ${ref16(program, op.inputs[0]!, true)}, ${ref16(program, op.outputs[0]!, false)});`,
  };
}

/**
 * Operand sizes of an elementwise op: each equals the output size, or repeats along the output's NHWC leading axes
 * (its dims, leading 1s dropped, are the output's trailing dims), the `i % size` indexing of the C kernels.
 */
function operandSizes(program: Program, op: ProgramOp): string {
  const size = num(op, 'size');
  const out = storage(program, op.outputs[0]!).dims;
  const sizes = [0, 1].map((k) => {
    const t = storage(program, op.inputs[k]!);
    const d = [...t.dims];
    while (d.length > 0 && d[0] === 1) d.shift();
    const repeats = d.length <= out.length && d.every((x, j) => x === out[out.length - d.length + j]);
    const n = t.dtype === 'int16' ? t.bytes / 2 : t.bytes;
    if (n !== size && !(repeats && size % n === 0)) {
      throw new QuantforgeError('QF_TARGET_CONSTRAINT', `op ${op.node}: operand ${t.name} [${t.dims.join(', ')}] does not repeat along the leading axes of the output [${out.join(', ')}]`, {
        details: { node: op.node, size, operand: t.name, dims: t.dims },
      });
    }
    return n;
  });
  return `${size}, ${sizes[0]}, ${sizes[1]}`;
}

function elementwise(program: Program, op: ProgramOp, i: number, rounding: 'double' | 'single'): OpCode {
  const add = op.targetOp === 'add';
  const pairs = add
    ? [['input1Multiplier', 'input1Shift'], ['input2Multiplier', 'input2Shift'], ['outputMultiplier', 'outputShift']]
    : [['outputMultiplier', 'outputShift']];
  for (const [m, s] of pairs) checkMultipliers(op, [num(op, m!)], [num(op, s!)], rounding);
  const fields = add
    ? [operandSizes(program, op), String(num(op, 'leftShift')),
      `${num(op, 'input1Offset')}, ${cInt(num(op, 'input1Multiplier'))}, ${num(op, 'input1Shift')}`,
      `${num(op, 'input2Offset')}, ${cInt(num(op, 'input2Multiplier'))}, ${num(op, 'input2Shift')}`,
      `${num(op, 'outputOffset')}, ${cInt(num(op, 'outputMultiplier'))}, ${num(op, 'outputShift')}`, clampFields(op)]
    : [operandSizes(program, op), `${num(op, 'input1Offset')}, ${num(op, 'input2Offset')}, ${num(op, 'outputOffset')}`,
      `${cInt(num(op, 'outputMultiplier'))}, ${num(op, 'outputShift')}`, clampFields(op)];
  if (add && (num(op, 'leftShift') < 0 || num(op, 'leftShift') > 30)) throw bad(op, 'leftShift must be in [0, 30]');
  const type = add ? 'qf_add_params' : 'qf_mul_params';
  return {
    defs: `static const ${type} op${i} = {\n    ${fields.join(',\n    ')}\n};\n`,
    call: `${add ? 'qf_add' : 'qf_mul'}_${wide(program, op) ? 's16' : 's8'}(&op${i}, ${ref16(program, op.inputs[0]!, true)}, ${ref16(program, op.inputs[1]!, true)}, ${ref16(program, op.outputs[0]!, false)});`,
  };
}

function softmax(program: Program, op: ProgramOp, i: number, rounding: 'double' | 'single'): OpCode {
  const shift = num(op, 'shift');
  if (shift < 0 || shift > (rounding === 'single' ? 30 : 31) || num(op, 'multiplier') < 0 || num(op, 'diffMin') > 0) {
    throw bad(op, 'softmax needs multiplier >= 0, a left shift in the build\'s range and diffMin <= 0');
  }
  const fields = `${num(op, 'numRows')}, ${num(op, 'rowSize')}, ${cInt(num(op, 'multiplier'))}, ${shift}, ${cInt(num(op, 'diffMin'))}`;
  return {
    defs: `static const qf_softmax_params op${i} = { ${fields} };\n`,
    call: `qf_softmax_s8(&op${i}, ${tensorRef(program, op.inputs[0]!)}, ${tensorRef(program, op.outputs[0]!)});`,
  };
}

function lut(program: Program, op: ProgramOp, i: number): OpCode {
  const table = storage(program, op.inputs[1]!);
  if (table.dtype !== 'int8' || table.bytes !== 256 || table.placement !== 'flash') throw bad(op, 'a lookup table must be a 256-byte int8 constant');
  return {
    defs: `static const qf_lut_params op${i} = { ${num(op, 'size')} };\n`,
    call: `qf_lut_s8(&op${i}, ${tensorRef(program, op.inputs[0]!)}, ${tensorRef(program, op.inputs[1]!)}, ${tensorRef(program, op.outputs[0]!)});`,
  };
}

function copy(program: Program, op: ProgramOp): OpCode {
  return { defs: '', call: `qf_copy_s8(${tensorRef(program, op.inputs[0]!)}, ${tensorRef(program, op.outputs[0]!)}, ${bytesOf(program, op.outputs[0]!)});` };
}

/**
 * The C of op `i`: parameters as `static const` data, and the kernel call. Throws `QF_TARGET_OP_UNSUPPORTED` for a
 * target op without a C kernel.
 */
export function opCode(program: Program, op: ProgramOp, i: number, rounding: 'double' | 'single'): OpCode {
  let code: OpCode;
  switch (op.targetOp) {
    case 'conv2d': case 'conv2d-1x1': case 'depthwise-conv2d': code = conv(program, op, i, rounding); break;
    case 'fully-connected': code = dense(program, op, i, rounding); break;
    case 'max-pool': case 'avg-pool': code = pool(program, op, i); break;
    case 'add': case 'mul': code = elementwise(program, op, i, rounding); break;
    case 'softmax': code = softmax(program, op, i, rounding); break;
    case 'lut': code = lut(program, op, i); break;
    case 'reshape': code = copy(program, op); break;
    default:
      throw new QuantforgeError('QF_TARGET_OP_UNSUPPORTED', `the C emitter has no kernel for target op ${op.targetOp} (node ${op.node})`, {
        details: { node: op.node, targetOp: op.targetOp }, hint: 'Supported: conv2d, conv2d-1x1, depthwise-conv2d, fully-connected, max-pool, avg-pool, add, mul, softmax, lut, reshape.',
      });
  }
  const fused = op.fused.length > 0 ? ` (+ ${op.fused.join(', ')})` : '';
  return { defs: code.defs, call: `    /* ${cComment(`${op.node}${fused}: ${op.kernel}`)} */\n    ${code.call}` };
}
