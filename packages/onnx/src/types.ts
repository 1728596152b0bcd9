import { dtypeFromOnnx, dtypeToOnnx, type DType, type Dim, type TypeInfo } from '@quantforge/core';
import { hasField, newMessage, residue, type TensorShapeProto, type TypeProto } from './codec.js';
import { extraOf } from './extra.js';

// TypeProto <-> TypeInfo. A TypeProto nests up to four messages (TypeProto > TypeProto.Tensor > TensorShapeProto >
// Dimension); the residue of each (dimension denotations, unknown element types, presence of defaults) is kept in
// the TypeInfo's `extra`, keyed by level.

interface TypeExtra {
  /** Residue of the TypeProto itself. */
  rest?: Uint8Array;
  /** Residue of the inner TypeProto.Tensor / Sequence / Map / Optional / SparseTensor. */
  inner?: Uint8Array;
  /** Residue of the TensorShapeProto. */
  shape?: Uint8Array;
  /** Residue of each TensorShapeProto.Dimension (denotation, ...), by position; null where there is none. */
  dims?: (Uint8Array | null)[];
}

function elemTypeFrom(n: number): DType | 'undefined' | undefined {
  return n === 0 ? 'undefined' : dtypeFromOnnx(n);
}

function elemTypeTo(t: DType | 'undefined'): number {
  return t === 'undefined' ? 0 : dtypeToOnnx(t);
}

function shapeFrom(shape: TensorShapeProto, ex: TypeExtra): Dim[] {
  const rest = residue('shape', shape, ['dim']);
  if (rest) ex.shape = rest;
  const dimRests: (Uint8Array | null)[] = [];
  let anyDimRest = false;
  const dims = shape.dim.map((d) => {
    const r = residue('dim', d, ['value']);
    dimRests.push(r ?? null);
    if (r) anyDimRest = true;
    if (d.value.case === 'dimValue') return Number(d.value.value);
    if (d.value.case === 'dimParam') return d.value.value;
    return null;
  });
  if (anyDimRest) ex.dims = dimRests;
  return dims;
}

function shapeTo(dims: readonly Dim[], ex: Partial<TypeExtra> | undefined): TensorShapeProto {
  const m = newMessage('shape', ex?.shape);
  m.dim = dims.map((d, i) => {
    const r = ex?.dims?.[i];
    const dm = newMessage('dim', r instanceof Uint8Array ? r : undefined);
    if (typeof d === 'number') dm.value = { case: 'dimValue', value: BigInt(d) };
    else if (typeof d === 'string') dm.value = { case: 'dimParam', value: d };
    return dm;
  });
  return m;
}

/** TypeProto to TypeInfo. */
export function typeFromProto(t: TypeProto): TypeInfo {
  const ex: TypeExtra = {};
  let info: TypeInfo;
  const v = t.value;
  switch (v.case) {
    case 'tensorType':
    case 'sparseTensorType': {
      const kind = v.case === 'tensorType' ? 'tensor' : 'sparse_tensor';
      const elem = elemTypeFrom(v.value.elemType);
      const consumed = elem === undefined ? ['shape'] : ['elemType', 'shape'];
      const inner = residue(v.case === 'tensorType' ? 'typeTensor' : 'typeSparseTensor', v.value, consumed);
      if (inner) ex.inner = inner;
      const ti: Extract<TypeInfo, { kind: 'tensor' | 'sparse_tensor' }> = { kind, elemType: elem ?? 'undefined' };
      if (v.value.shape) ti.shape = shapeFrom(v.value.shape, ex);
      info = ti;
      break;
    }
    case 'sequenceType':
    case 'optionalType': {
      const inner = residue(v.case === 'sequenceType' ? 'typeSequence' : 'typeOptional', v.value, ['elemType']);
      if (inner) ex.inner = inner;
      const si: Extract<TypeInfo, { kind: 'sequence' | 'optional' }> = { kind: v.case === 'sequenceType' ? 'sequence' : 'optional' };
      if (v.value.elemType) si.elem = typeFromProto(v.value.elemType);
      info = si;
      break;
    }
    case 'mapType': {
      const key = elemTypeFrom(v.value.keyType);
      const inner = residue('typeMap', v.value, key === undefined ? ['valueType'] : ['keyType', 'valueType']);
      if (inner) ex.inner = inner;
      const mi: Extract<TypeInfo, { kind: 'map' }> = { kind: 'map', keyType: key ?? 'undefined' };
      if (v.value.valueType) mi.value = typeFromProto(v.value.valueType);
      info = mi;
      break;
    }
    default:
      info = { kind: 'unknown' };
  }
  if (t.denotation !== '' || hasField('type', t, 'denotation')) info.denotation = t.denotation;
  const rest = residue('type', t, ['value', '?denotation']);
  if (rest) ex.rest = rest;
  if (Object.keys(ex).length > 0) info.extra = ex;
  return info;
}

/** TypeInfo to TypeProto. */
export function typeToProto(info: TypeInfo): TypeProto {
  const ex = extraOf<TypeExtra>(info.extra);
  const m = newMessage('type', ex?.rest);
  switch (info.kind) {
    case 'tensor': {
      const inner = newMessage('typeTensor', ex?.inner);
      const elem = elemTypeTo(info.elemType);
      if (elem !== 0) inner.elemType = elem;
      if (info.shape) inner.shape = shapeTo(info.shape, ex);
      m.value = { case: 'tensorType', value: inner };
      break;
    }
    case 'sparse_tensor': {
      const inner = newMessage('typeSparseTensor', ex?.inner);
      const elem = elemTypeTo(info.elemType);
      if (elem !== 0) inner.elemType = elem;
      if (info.shape) inner.shape = shapeTo(info.shape, ex);
      m.value = { case: 'sparseTensorType', value: inner };
      break;
    }
    case 'sequence': {
      const inner = newMessage('typeSequence', ex?.inner);
      if (info.elem) inner.elemType = typeToProto(info.elem);
      m.value = { case: 'sequenceType', value: inner };
      break;
    }
    case 'optional': {
      const inner = newMessage('typeOptional', ex?.inner);
      if (info.elem) inner.elemType = typeToProto(info.elem);
      m.value = { case: 'optionalType', value: inner };
      break;
    }
    case 'map': {
      const inner = newMessage('typeMap', ex?.inner);
      const key = elemTypeTo(info.keyType);
      if (key !== 0) inner.keyType = key;
      if (info.value) inner.valueType = typeToProto(info.value);
      m.value = { case: 'mapType', value: inner };
      break;
    }
    case 'unknown':
      break;
  }
  if (info.denotation !== undefined) m.denotation = info.denotation;
  return m;
}
