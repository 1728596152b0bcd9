import {
  QuantforgeError, tensor,
  type AffineEncoding, type ExportInput, type Node, type PlanEntry, type Tensor,
} from '@quantforge/core';
import { attr, GraphEdit } from './graph-edit.js';
import { encodingOpset } from './opset.js';
import { affineOf, paramDims, scaleTensor, weightCodes, zeroPointTensor } from './params.js';

/** Where a rewired input was: base node index and input slot. */
export interface InputRef {
  node: number;
  input: number;
}

/** What the export passes share: the edit, the input, the opset needed so far and the value map being built. */
export class ExportState {
  readonly edit: GraphEdit;
  readonly valueMap: Record<string, string> = {};
  /** New value name -> the float tensor whose (quantized) value it carries, so type lookups still work. */
  readonly origin = new Map<string, string>();
  /** Float initializers replaced by integer ones; dropped at the end when nothing reads them any more. */
  readonly replaced = new Set<string>();
  private needed = 0;
  private readonly dequantized = new Map<string, string>();

  constructor(readonly input: ExportInput) {
    this.edit = new GraphEdit(input.model);
  }

  get neededOpset(): number {
    return this.needed;
  }

  need(opset: number): void {
    this.needed = Math.max(this.needed, opset);
  }

  entries(role: (e: PlanEntry) => boolean): PlanEntry[] {
    return Object.values(this.input.plan.tensors).filter(role);
  }

  affine(name: string): AffineEncoding {
    return affineOf(name, this.input.encodings[name]);
  }

  /** Float initializer of a weight (from the input model, not the edit). */
  floatInitializer(name: string): Tensor | undefined {
    return this.input.model.graph.initializers.get(name)?.tensor;
  }

  /** The integer codes of a planned weight or bias; `QF_PIPELINE_INVALID` when it is no initializer. */
  codes(name: string): { e: AffineEncoding; codes: Tensor } {
    const e = this.affine(name);
    const float = this.floatInitializer(name);
    if (float === undefined) {
      throw new QuantforgeError('QF_PIPELINE_INVALID', `"${name}" is planned as a weight or bias but is not an initializer of the model`, {
        details: { tensor: name },
        hint: 'Run the prepare stage first (it turns Constant nodes into initializers)',
      });
    }
    return { e, codes: weightCodes(name, this.input.encodings[name]!, e, float) };
  }

  /**
   * Scale and zero-point initializers of an encoding (`<base>_scale`, `<base>_zero_point`), shaped for a tensor of
   * `dims`; the zero point is absent for int32.
   */
  params(base: string, e: AffineEncoding, dims: readonly number[]): { scale: string; zeroPoint: string | undefined } {
    const pd = paramDims(e, dims);
    const scale = this.edit.addInitializer(`${base}_scale`, scaleTensor(e, pd));
    const zp = zeroPointTensor(base, e, pd);
    return { scale, zeroPoint: zp === undefined ? undefined : this.edit.addInitializer(`${base}_zero_point`, zp) };
  }

  /** Q/DQ attributes of an encoding. */
  static axisAttributes(e: AffineEncoding): Node['attributes'] {
    const out: Node['attributes'] = [];
    if (e.axis !== undefined) out.push(attr.int('axis', e.axis));
    if (e.blockSize !== undefined) out.push(attr.int('block_size', e.blockSize));
    return out;
  }

  /**
   * The output of `DequantizeLinear(<w>_quantized, <w>_scale, <w>_zero_point)` for a planned weight or bias,
   * emitted once (at the front of the graph). `dims` reshapes the codes (Conv biases in dynamic mode); the
   * encoding's axis must still index the same dimension.
   */
  dequantizedWeight(name: string, dims?: number[]): string {
    const key = `${name}\u0000${dims?.join(',') ?? ''}`;
    const cached = this.dequantized.get(key);
    if (cached !== undefined) return cached;
    const { e, codes } = this.codes(name);
    const shaped = dims === undefined ? codes : tensor(codes.dtype, dims, codes.data as never);
    const edit = this.edit;
    const q = edit.addInitializer(`${name}_quantized`, shaped);
    const { scale, zeroPoint } = this.params(name, e, codes.dims);
    const out = edit.names.take(`${name}_dequantized`);
    const inputs = zeroPoint === undefined ? [q, scale] : [q, scale, zeroPoint];
    edit.insertAfterProducerOf(name, [edit.node('DequantizeLinear', `${name}_DequantizeLinear`, inputs, [out], ExportState.axisAttributes(e))]);
    this.need(encodingOpset(e));
    this.replaced.add(name);
    this.origin.set(out, name);
    this.dequantized.set(key, out);
    if (dims === undefined) this.valueMap[name] = out;
    return out;
  }

  /**
   * The base-node inputs a planned tensor's quantized value should feed: the plan's consumers, or every reader when
   * the plan lists none. A listed consumer that does not read the tensor is a plan/model mismatch.
   */
  consumers(entry: PlanEntry): InputRef[] {
    const base = this.edit.base;
    if (entry.consumers.length === 0) {
      const refs: InputRef[] = [];
      base.forEach((n, i) => n.inputs.forEach((v, k) => v === entry.tensor && refs.push({ node: i, input: k })));
      return refs;
    }
    return entry.consumers.map((c) => {
      const i = base.findIndex((n) => n.name === c.node && n.inputs[c.input] === entry.tensor);
      if (i < 0) {
        throw new QuantforgeError('QF_PIPELINE_INVALID', `plan consumer "${c.node}" input ${c.input} does not read "${entry.tensor}"`, {
          details: { tensor: entry.tensor, consumer: c },
          hint: 'The plan was made for another model; plan again from the prepared model',
        });
      }
      return { node: i, input: c.input };
    });
  }

  rewire(refs: readonly InputRef[], value: string): void {
    for (const r of refs) this.edit.base[r.node]!.inputs[r.input] = value;
  }
}
